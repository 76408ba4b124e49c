export { statePaths, ensurePrivateDir, writePrivateFileAtomic, openPrivateAppend, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, type StatePaths } from './paths.js';
export {
  firstWordsOf,
  handleExpiresAt,
  handleValid,
  isSafeId,
  lastActivityAt,
  parseRecord,
  FIRST_WORDS_LENGTH,
  HANDLE_VALIDITY_MS,
  type EndpointKind,
  type NewSessionRecord,
  type SessionPatch,
  type SessionRecord,
} from './record.js';
export { isRunning, openRegistry, SessionRegistry, type PruneOptions, type ResolvedSession } from './store.js';
export { attachSessionLog, type SessionLog, type SessionLogOptions } from './log.js';
export {
  historyEvents,
  isTranscriptEvent,
  parseLogLines,
  readSessionLog,
  readTranscript,
  TRANSCRIPT_TYPES,
  type TranscriptEvent,
  type TranscriptEventType,
} from './transcript.js';
