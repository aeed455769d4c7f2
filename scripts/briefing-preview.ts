// npm run briefing:preview — writes docs/morning-briefing.md: the sample night's morning briefing
// as the console, Slack and Discord show it, rendered by the real code.
import { writeFileSync } from 'node:fs';
import { briefingDoc } from '../src/commands/briefing-doc.ts';

writeFileSync(new URL('../docs/morning-briefing.md', import.meta.url), briefingDoc());
process.stdout.write('wrote docs/morning-briefing.md\n');
