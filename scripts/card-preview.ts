// npm run card:preview — writes the sample status card (rendered by the real code) to
// docs/slack-status-card.json and prints its Block Kit Builder link for the README.
import { writeFileSync } from 'node:fs';
import { blockKitBuilderUrl, sampleCard } from '../src/adapters/slack/card-sample.ts';

const card = sampleCard();
writeFileSync(new URL('../docs/slack-status-card.json', import.meta.url), `${JSON.stringify({ blocks: card.blocks }, null, 2)}\n`);
process.stdout.write(`${blockKitBuilderUrl(card)}\n`);
