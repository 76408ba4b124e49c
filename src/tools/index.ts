export { openTools, type ToolFlags, type ToolSet } from './setup.js';
export type { ApprovalPrompt, ApprovalRequest } from './policy.js';
