// The task store: LowdbTaskStore on disk, MemoryTaskStore for tests of other modules.
export { LowdbTaskStore, type LowdbTaskStoreOptions } from './lowdb-task-store.ts';
export { MemoryTaskStore } from './memory-task-store.ts';
export { StoreCorruptError, StoreFormatTooNewError, StoreMissingError, StoreNotOpenError } from './errors.ts';
export { LiveDoc, migrations, STORE_FORMAT_VERSION } from './live-doc.ts';
export type { ArchiveScanStats } from './task-archive.ts';
