/**
 * Event streams recorded from real server runs (tests/negotiation/test_board_property.py
 * writes them): applying each stream's frames to its starting snapshot must give exactly
 * the board the server's snapshot had at the end: every part of its `data` (issues,
 * statements shared from caucuses, caucus sessions, the mediation's state).
 *
 * The file is PARLEY_BOARD_SEQUENCES if set, else tests/fixtures/board-sequences.json.
 * Format: [{"snapshot": <snapshot frame>, "frames": [<event frames>], "expected": <snapshot frame>}]
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyFrame, emptyBoard, type JointData, type RoomFrame, type SnapshotFrame } from '../src/lib/board';
import { normalisedBoard, normalisedData } from './normalise';

interface Sequence {
  snapshot: SnapshotFrame;
  frames: RoomFrame[];
  expected: SnapshotFrame;
}

const fromEnv = (import.meta.env as Record<string, string | undefined>).PARLEY_BOARD_SEQUENCES;
// Relative to the front end's directory, where npm test and the Python suite run Vitest.
const source = fromEnv || 'tests/fixtures/board-sequences.json';
const present = existsSync(source);

if (!present) {
  console.warn(
    `NOTE: ${source} does not exist yet, so the recorded server sequences are not checked. ` +
      'The Python suite (tests/negotiation/test_board_property.py) writes them.',
  );
}

describe('recorded server sequences', () => {
  it.skipIf(!present)('end with exactly the server’s snapshot', () => {
    const sequences = JSON.parse(readFileSync(source, 'utf8')) as Sequence[];
    expect(sequences.length).toBeGreaterThan(0);
    sequences.forEach((sequence, number) => {
      let state = applyFrame(emptyBoard(), sequence.snapshot).state;
      for (const frame of sequence.frames) {
        const result = applyFrame(state, frame);
        expect(result.outcome, `sequence ${number}, frame #${frame.seq} ${frame.type === 'event' ? frame.name : ''}`).toBe('applied');
        state = result.state;
      }
      expect(state.seq, `sequence ${number}: last seq`).toBe(sequence.expected.seq);
      // Every part the server's snapshot has, and the issues whatever it has.
      const keys = [...new Set(['issues', ...Object.keys(sequence.expected.data)])] as (keyof JointData)[];
      expect(normalisedBoard(state, keys), `sequence ${number}`).toEqual(normalisedData(sequence.expected.data, keys));
    });
  });
});
