import { describe, expect, it } from 'vitest';
import { keyBytes, pushSupported } from '../src/lib/push';

describe('web push', () => {
  it('turns a base64url VAPID key into the bytes the Push API takes', () => {
    // "BEl6" is 0x04 0x49 0x7a; url-safe characters and no padding, as servers give keys.
    expect([...keyBytes('BEl6')]).toEqual([0x04, 0x49, 0x7a]);
    expect([...keyBytes('-_8')]).toEqual([0xfb, 0xff]);
  });

  it('is not offered where the browser has no service workers', () => {
    expect(pushSupported()).toBe(false);
  });
});
