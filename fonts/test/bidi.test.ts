import { bidiClass, bidiLevels, visualOrder } from '../src/bidi';

const shown = (text: string): string =>
  visualOrder(text)
    .map((c) => c.char)
    .join('');

describe('display order of mixed-direction text', () => {
  it('leaves text without right-to-left letters as it is', () => {
    expect(shown('Température 21 °C → ok')).toBe('Température 21 °C → ok');
    expect(visualOrder('a😀b').map((c) => c.index)).toEqual([0, 1, 2]);
  });

  it('reverses Hebrew, keeping numbers (with their separators and signs) left to right', () => {
    expect(shown('שלום 123 עולם')).toBe('םלוע 123 םולש');
    expect(shown('מחיר 1,250.50 ₪')).toBe('₪ 1,250.50 ריחמ');
    expect(shown('חום 21.5°')).toBe('21.5° םוח');
    // As in UAX #9, a sign before a number at the start of a right-to-left line is a neutral.
    expect(shown('-5 מעלות')).toBe('תולעמ 5-');
    expect(shown('מינוס 3-5')).toBe('3-5 סונימ');
  });

  it('takes the paragraph direction from the first strong letter', () => {
    expect(shown('Hello, עולם!')).toBe('Hello, םלוע!');
    expect(shown('שלום, world!')).toBe('!world ,םולש');
    expect(shown('123 שלום')).toBe('םולש 123');
  });

  it('gives neutrals between two runs of one direction that direction, others the paragraph one', () => {
    expect(shown('abc אב - גד def')).toBe('abc דג - בא def');
    expect(shown('אב - cd - גד')).toBe('דג - cd - בא');
  });

  it('mirrors brackets inside right-to-left runs', () => {
    expect(shown('שלום (עולם)')).toBe('(םלוע) םולש');
    expect(shown('a (b) ג')).toBe('a (b) ג');
  });

  it('keeps each character’s reading-order index and trailing spaces at the paragraph level', () => {
    expect(visualOrder('אב c').map((c) => [c.char, c.index])).toEqual([
      ['c', 3],
      [' ', 2],
      ['ב', 1],
      ['א', 0],
    ]);
    expect(bidiLevels([...'אב  '].map((c) => c.codePointAt(0)!))).toEqual([1, 1, 1, 1]);
    expect(bidiLevels([...'ab אב  '].map((c) => c.codePointAt(0)!))).toEqual([0, 0, 0, 1, 1, 0, 0]);
  });

  it('classifies characters like UAX #9 for the scripts the fonts carry', () => {
    const classes = (s: string) => [...s].map((c) => bidiClass(c.codePointAt(0)!)).join(' ');
    expect(classes('aéłλЖ')).toBe('L L L L L');
    expect(classes('אתװ')).toBe('R R R');
    expect(classes('09')).toBe('EN EN');
    expect(classes('+-−')).toBe('ES ES ES');
    expect(classes('%°€$#±')).toBe('ET ET ET ET ET ET');
    expect(classes('.,:/')).toBe('CS CS CS CS');
    expect(classes(' !?←♥✓•־')).toBe('WS ON ON ON ON ON ON ON');
  });
});
