import assert from 'node:assert/strict';
import { ToolCallAssembler } from '../../../src/vscode/tool-calls';

describe('assembling streamed tool calls', () => {
  it('joins argument fragments per index and reports each call once, in index order', () => {
    const a = new ToolCallAssembler();
    a.add([{ index: 1, id: 'call_b', function: { name: 'second', arguments: '{"x":' } }]);
    a.add([{ index: 0, id: 'call_a', function: { name: 'first', arguments: '{}' } }]);
    a.add([{ index: 1, function: { arguments: '2}' } }]);
    assert.deepEqual(a.drain(), [
      { id: 'call_a', name: 'first', input: {}, malformed: false },
      { id: 'call_b', name: 'second', input: { x: 2 }, malformed: false },
    ]);
    assert.deepEqual(a.drain(), []);
  });

  it('marks arguments that are not a JSON object instead of passing a string on', () => {
    const a = new ToolCallAssembler();
    a.add([{ index: 0, id: 'c', function: { name: 'f', arguments: '[1,2' } }]);
    a.add([{ index: 1, id: 'd', function: { name: 'g', arguments: '"text"' } }]);
    assert.deepEqual(
      a.drain().map((c) => [c.input, c.malformed]),
      [
        [{}, true],
        [{}, true],
      ],
    );
  });

  it('treats empty arguments as an empty object', () => {
    const a = new ToolCallAssembler();
    a.add([{ index: 0, id: 'c', function: { name: 'now' } }]);
    assert.deepEqual(a.drain(), [{ id: 'c', name: 'now', input: {}, malformed: false }]);
  });
});
