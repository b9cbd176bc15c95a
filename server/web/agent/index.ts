/** Entry point of the agent console (`/agent/agent.js`). */
import { startConsole, type AgentHooks } from './console-app.ts';

declare global {
  interface Window {
    __tandemAgent?: AgentHooks;
  }
}

window.__tandemAgent = startConsole(document);
