// What every command is given: the engine (the only way to change tasks) and who is asking.
import type { Engine } from '../core/engine.ts';
import type { Actor } from './actor.ts';

export interface CommandContext {
  engine: Engine;
  actor: Actor;
}
