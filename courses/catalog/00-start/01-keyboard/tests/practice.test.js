// The keyboard tutorial: each step's answer is the line just under "Step N:".
// One gentle message per mistake; no test ever mentions a program's internals.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

function lines() {
  const text = fs.readFileSync(path.join(__dirname, 'practice.txt'), 'utf8');
  return text.replace(/\r\n/g, '\n').split('\n');
}

// The instruction lines exactly as in starter/practice.txt.
const STEPS = {
  1: 'Step 1: type the word hello',
  2: 'Step 2: type Hello with a capital H (hold Shift, press h)',
  3: 'Step 3: type the tag <p> (Shift and the comma key gives <)',
  4: 'Step 4: type two curly brackets with a space between: { }',
  5: 'Step 5: type the word quotes between double quote marks: "quotes"',
  6: 'Step 6: this word has one l too many. Fix it with Backspace.',
  7: 'Step 7: at the end of the next line press Enter, then type done',
};

const UNDO = 'Press Ctrl+Z to undo, or F8 (or Alt+Y) to start again from the beginning.';

// The answer typed for step n: the text after ">" on the line under "Step n:".
function answer(n) {
  const all = lines();
  const at = all.findIndex((line) => line.trim().startsWith(`Step ${n}:`));
  if (at < 0) {
    assert.fail(`The line that starts "Step ${n}:" is missing. ${UNDO}`);
  }
  const below = at + 1 < all.length ? all[at + 1] : '';
  const typed = below.trim().replace(/^>\s?/, '').trim();
  if (typed === '') {
    const stepLine = all[at].trim();
    if (stepLine.length > STEPS[n].length && stepLine.startsWith(STEPS[n])) {
      assert.fail(`You typed on the Step line itself. Press the Down arrow once to ` +
        'go to the line that starts with >, press End, and type there.');
    }
    assert.fail(`The line under it is still empty. Press the Down arrow until the ` +
      'cursor is on the line that starts with >, press End, then type your answer.');
  }
  return { typed, all, at };
}

test('Step 1: the word hello', () => {
  const { typed } = answer(1);
  if (typed.toLowerCase() !== 'hello') {
    assert.fail(`The line says "${typed}" but it should say hello. Backspace removes ` +
      'the letter just before the cursor; then type the word again.');
  }
});

test('Step 2: Hello with a capital H', () => {
  const { typed } = answer(2);
  if (typed === 'hello') {
    assert.fail('The H should be a capital. Hold Shift down, press h, let go of ' +
      'Shift, then type ello.');
  }
  if (typed === 'HELLO' || typed === 'hELLO') {
    assert.fail('Only the H is a capital. Caps Lock may be on: press Caps Lock once ' +
      'to turn it off, then type the word again.');
  }
  if (typed !== 'Hello') {
    assert.fail(`The line says "${typed}" but it should say Hello (a capital H, ` +
      'then small letters).');
  }
});

test('Step 3: the tag <p>', () => {
  const { typed } = answer(3);
  if (typed === ',p.' || typed.includes(',') || typed.includes('.')) {
    assert.fail('You typed a comma or a full stop. The < and > signs are on those ' +
      'same keys: hold Shift while you press them.');
  }
  if (typed === '<p') {
    assert.fail('The tag needs its closing >. Hold Shift and press the full stop key.');
  }
  if (typed === 'p>') {
    assert.fail('The tag needs its opening <. Hold Shift and press the comma key.');
  }
  if (typed.replace(/\s+/g, '') !== '<p>') {
    assert.fail(`The line says "${typed}" but it should say <p> ` +
      '(Shift+comma, the letter p, Shift+full stop).');
  }
});

test('Step 4: curly brackets { }', () => {
  const { typed } = answer(4);
  if (typed.includes('[') || typed.includes(']') || typed.includes('(')) {
    assert.fail('Those are square or round brackets. Curly brackets { } are on the ' +
      'same keys as [ and ]: hold Shift while you press them.');
  }
  if (typed === '{}') {
    assert.fail('Put one space between { and }. The long key at the bottom is Space.');
  }
  if (typed.replace(/\s+/g, ' ') !== '{ }') {
    assert.fail(`The line says "${typed}" but it should say { } ` +
      '(Shift+[, a space, Shift+]).');
  }
});

test('Step 5: "quotes" between double quote marks', () => {
  const { typed } = answer(5);
  if (typed === "'quotes'") {
    assert.fail('Those are single quote marks. Double quote marks need Shift: hold Shift ' +
      'and press the single quote key (on some keyboards it is Shift+2).');
  }
  if (typed === 'quotes') {
    assert.fail('The word needs a double quote mark (") before and after it.');
  }
  if (typed === '2quotes2' || typed === '@quotes@') {
    assert.fail('On this keyboard the double quote is on another key. Try Shift with ' +
      'the single quote key (next to Enter), or Shift+2.');
  }
  if (typed !== '"quotes"') {
    assert.fail(`The line says ${typed} but it should say "quotes" ` +
      '(a double quote mark, the word, another double quote mark).');
  }
});

test('Step 6: helllo fixed to hello', () => {
  const { typed } = answer(6);
  if (typed === 'helllo') {
    assert.fail('The word still has three of the letter l. Use the arrow keys to put ' +
      'the cursor just after them, then press Backspace once.');
  }
  if (typed === 'helo' || typed === 'hell' || typed === 'heo') {
    assert.fail('One letter too many was removed: the word is hello, with two of the ' +
      'letter l. Ctrl+Z brings back what you removed.');
  }
  if (typed !== 'hello') {
    assert.fail(`The line says "${typed}" but it should say hello.`);
  }
});

test('Step 7: done on a new line under ready', () => {
  const { typed, all, at } = answer(7);
  if (typed !== 'ready') {
    if (typed.replace(/\s+/g, '') === 'readydone') {
      assert.fail('The word done should be on a new line of its own. Put the cursor just ' +
        'after ready, press Enter, then type done.');
    }
    const below = all.slice(at + 2).map((line) => line.trim().replace(/^>\s?/, '').trim());
    if (below.includes('ready')) {
      assert.fail('A new line went in above "> ready" instead of under it. Ctrl+Z takes it ' +
        'away. Then put the cursor at the end of "> ready" (press End), press Enter, and ' +
        'type done.');
    }
    assert.fail(`The line "> ready" was changed to "${typed}". ${UNDO}`);
  }
  const next = (all[at + 2] || '').trim().replace(/^>\s?/, '').trim();
  if (next === '') {
    assert.fail('The line under "> ready" is still empty. Put the cursor at the end ' +
      'of "> ready" (press End), press Enter, then type done.');
  }
  if (next.toLowerCase() !== 'done') {
    assert.fail(`The new line says "${next}" but it should say done.`);
  }
});
