// Which kind of worker a request asks for (core/worker-label.ts): `--on <label>` always, the words
// "on <label>" only for a label some worker has.
import { describe, expect, it } from 'vitest';
import { takeWorkerLabel } from '../src/core/worker-label.ts';

describe('asking for a worker label', () => {
  it('--on takes any label, out of the text', () => {
    expect(takeWorkerLabel('build the installer --on macOS by friday', [])).toEqual({ label: 'macos', text: 'build the installer by friday' });
    expect(takeWorkerLabel('train it —on=gpu', ['gpu'])).toEqual({ label: 'gpu', text: 'train it' });
  });

  it('"on <label>" counts for a label a worker has, and only then', () => {
    expect(takeWorkerLabel('render the frames on gpu', ['gpu', 'macos'])).toEqual({ label: 'gpu', text: 'render the frames' });
    expect(takeWorkerLabel('build the app on a macos machine, please', ['macos'])).toEqual({ label: 'macos', text: 'build the app, please' });
    expect(takeWorkerLabel('put a banner on the website', ['gpu'])).toEqual({ label: null, text: 'put a banner on the website' });
    expect(takeWorkerLabel('render the frames on gpu', [])).toEqual({ label: null, text: 'render the frames on gpu' });
  });

  it('a bad or repeated --on is a clear error', () => {
    expect(takeWorkerLabel('build it --on', [])).toEqual({ error: '--on needs a worker label, like --on macos or --on gpu' });
    expect(takeWorkerLabel('build it --on mac/os', [])).toEqual({ error: '--on needs a worker label, like --on macos or --on gpu (got "mac/os")' });
    expect(takeWorkerLabel('x --on a --on b', [])).toEqual({ error: '--on given twice' });
  });
});
