/** Icon upload payloads: raw or base64 PNG and GIF told apart by their magic bytes, empty for a delete. */
import { isValidIconName, MAX_ICON_FILE_BYTES, parseIconUpload } from '../src';

const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const GIF_HEAD = Buffer.from('GIF89a\x08\x00\x08\x00', 'latin1');

describe('parseIconUpload', () => {
  it('takes raw PNG and GIF bytes as they are', () => {
    expect(parseIconUpload(PNG_HEAD)).toEqual({ ok: true, value: { image: PNG_HEAD, format: 'png' } });
    expect(parseIconUpload(GIF_HEAD)).toEqual({ ok: true, value: { image: GIF_HEAD, format: 'gif' } });
  });

  it('takes their base64 text, line breaks and all', () => {
    const text = `${PNG_HEAD.toString('base64').slice(0, 8)}\n${PNG_HEAD.toString('base64').slice(8)}\n`;
    expect(parseIconUpload(text)).toEqual({ ok: true, value: { image: new Uint8Array(PNG_HEAD), format: 'png' } });
    expect(parseIconUpload(Buffer.from(GIF_HEAD.toString('base64')))).toMatchObject({ ok: true, value: { format: 'gif' } });
  });

  it('reads an empty payload as a delete', () => {
    expect(parseIconUpload('')).toEqual({ ok: true, value: { remove: true } });
  });

  it('refuses anything else, and base64 of anything else, naming what it takes', () => {
    for (const bad of ['hello', '{"icon":"sun"}', Buffer.from('JPEG not here').toString('base64'), 'QUJD=A==', Buffer.from([0xff, 0xd8, 0xff])]) {
      expect(parseIconUpload(bad)).toEqual({ ok: false, error: { code: 'invalid_payload', message: expect.stringContaining('not a PNG or GIF') } });
    }
  });

  it('refuses an image file over the limit, raw or as base64', () => {
    const big = Buffer.concat([PNG_HEAD, Buffer.alloc(MAX_ICON_FILE_BYTES)]);
    expect(parseIconUpload(big)).toMatchObject({ ok: false, error: { code: 'too_large' } });
    expect(parseIconUpload(big.toString('base64'))).toMatchObject({ ok: false, error: { code: 'too_large' } });
  });
});

describe('icon names', () => {
  it('are 1 to 32 of a-z, 0-9, _ and -', () => {
    for (const good of ['sun', 'door_open', 'a', 'x'.repeat(32), 'car-2']) expect(isValidIconName(good)).toBe(true);
    for (const bad of ['', 'Sun', 'x'.repeat(33), '../etc', 'a b', 'sun.png', 'ä', 5]) expect(isValidIconName(bad)).toBe(false);
  });
});
