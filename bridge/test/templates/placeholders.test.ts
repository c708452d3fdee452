/** Finding `{{mqtt:topic#path}}` placeholders, telling text from expression positions, and reading JSON paths. */
import { findPlaceholders, hasHomeAssistantSyntax, valueAtPath, valueText, withoutPlaceholders } from '../../src/templates/placeholders';

it('finds each placeholder with its topic and path, spaces inside the braces allowed', () => {
  const text = 'T {{mqtt:home/temp}} H {{ mqtt:home/sensor#rooms.1.name }}';
  expect(findPlaceholders(text)).toEqual([
    { start: 2, end: 20, topic: 'home/temp', path: undefined, inExpression: false },
    { start: 23, end: text.length, topic: 'home/sensor', path: ['rooms', '1', 'name'], inExpression: false },
  ]);
  expect(withoutPlaceholders(text, findPlaceholders(text), (p) => `<${p.topic}>`)).toBe('T <home/temp> H <home/sensor>');
});

it('a placeholder inside a Home Assistant expression or statement stands for a value', () => {
  const inside = findPlaceholders('{{ {{mqtt:a}} + 1 }} {{mqtt:b}} {% if {{mqtt:c#on}} %}on{% endif %} {# {{mqtt:d}} #}');
  expect(inside.map((p) => [p.topic, p.inExpression])).toEqual([
    ['a', true],
    ['b', false],
    ['c', true],
    ['d', false],
  ]);
});

it('tells Home Assistant syntax from plain text', () => {
  for (const t of ['{{ x }}', '{% if a %}{% endif %}', '{# note #}']) expect(hasHomeAssistantSyntax(t)).toBe(true);
  for (const t of ['21 °C', '{ "json": true }', 'a } b { c', '']) expect(hasHomeAssistantSyntax(t)).toBe(false);
});

it('reads a JSON path through objects and arrays, and names what is missing', () => {
  const payload = JSON.stringify({ a: { list: [10, { b: null }] }, s: 'x' });
  expect(valueAtPath(payload, ['a', 'list', '0'], 't')).toEqual({ ok: true, value: 10 });
  expect(valueAtPath(payload, ['a', 'list', '1', 'b'], 't')).toEqual({ ok: true, value: null });
  expect(valueAtPath(payload, ['a', 'list', '2'], 't')).toEqual({ ok: false, error: 't has no a.list.2' });
  expect(valueAtPath(payload, ['a', 'list', 'length'], 't')).toEqual({ ok: false, error: 't has no a.list.length' });
  expect(valueAtPath(payload, ['s', 'length'], 't')).toEqual({ ok: false, error: 't has no s.length' });
  expect(valueAtPath(payload, ['__proto__'], 't')).toEqual({ ok: false, error: 't has no __proto__' });
  expect(valueAtPath('not json', ['a'], 't')).toEqual({ ok: false, error: 't does not hold JSON, so it has no a' });
  expect([valueText('x'), valueText(1.5), valueText(true), valueText(null), valueText([1, 'a'])]).toEqual(['x', '1.5', 'true', 'null', '[1,"a"]']);
});
