import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CODES_DOC_PATH, formatCodesDoc } from './codes-doc.ts';

describe('docs/codes.md', () => {
  it('is what the catalogues say (run `make codes` after changing one)', async () => {
    const file = fileURLToPath(new URL(`../../../${CODES_DOC_PATH}`, import.meta.url));
    assert.equal(await readFile(file, 'utf8'), await formatCodesDoc(file));
  });
});
