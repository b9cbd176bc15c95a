/** Writes docs/codes.md from the catalogues: `make codes`. */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CODES_DOC_PATH, formatCodesDoc } from './codes-doc.ts';

const file = fileURLToPath(new URL(`../../../${CODES_DOC_PATH}`, import.meta.url));
await writeFile(file, await formatCodesDoc(file));
