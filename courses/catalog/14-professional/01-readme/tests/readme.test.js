const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

// ---- reading the README the way a person would ----
function readReadme() {
  let text;
  try {
    text = fs.readFileSync('README.md', 'utf8');
  } catch (err) {
    assert.fail('There is no README.md in the project. Keep the file name README.md');
  }
  return text.replace(/\r\n/g, '\n');
}

// Splits the README into headings, plain text and commands. Commands
// are lines inside ``` blocks, indented by 4 spaces, or `in backticks`.
function parse(text) {
  const lines = text.split('\n');
  const items = [];
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced || /^( {4}|\t)/.test(line)) {
      items.push({ kind: 'code', text: line.trim(), line: i + 1 });
      continue;
    }
    const heading = line.match(/^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/);
    if (heading) {
      items.push({ kind: 'heading', level: heading[1].length, text: heading[2], line: i + 1 });
      continue;
    }
    const underline = (lines[i + 1] || '').match(/^\s{0,3}(=+|-+)\s*$/);
    if (line.trim() !== '' && underline && !/^\s*[-*]\s/.test(line)) {
      items.push({ kind: 'heading', level: underline[1][0] === '=' ? 1 : 2, text: line.trim(), line: i + 1 });
      i++;
      continue;
    }
    if (line.trim() === '') continue;
    items.push({ kind: 'text', text: line.trim(), line: i + 1 });
    for (const span of line.matchAll(/`([^`]+)`/g)) {
      items.push({ kind: 'code', text: span[1].trim(), line: i + 1, inline: true });
    }
  }
  return items;
}

// "$ node tally.js notes.txt" -> ["node", "tally.js", "notes.txt"]
function commandOf(item) {
  const words = item.text.replace(/^[$>%]\s*/, '').split(/\s+/).filter(Boolean);
  return words[0] === 'node' ? words : null;
}

function commands(items) {
  return items.filter((item) => item.kind === 'code').map((item) => ({ item, words: commandOf(item) }))
    .filter((c) => c.words);
}

// The items under the first heading that matches, up to the next
// heading of the same level or higher.
function section(items, pattern) {
  const start = items.findIndex((item) => item.kind === 'heading' && item.level >= 2 && pattern.test(item.text));
  if (start < 0) return null;
  const level = items[start].level;
  const rest = items.slice(start + 1);
  const end = rest.findIndex((item) => item.kind === 'heading' && item.level <= level);
  return { heading: items[start], items: end < 0 ? rest : rest.slice(0, end) };
}

const placeholder = (word) => /^[<[{].*[>\]}]$/.test(word) || /^[A-Z_]+$/.test(word);
const fileLike = (word) => !word.startsWith('-') && /\.[a-z0-9]+$/i.test(word);
// ---- end of helpers ----

const RUN = /run|use|usage|start|how to|getting/i;
const TEST = /test|check|verify|works/i;

test('The README starts with a title', () => {
  const items = parse(readReadme());
  const first = items[0];
  assert.ok(first && first.kind === 'heading' && first.level === 1,
    'The first line of README.md should be a title, a # and the project name: # tally');
});

test('Under the title, a few sentences say what the project does', () => {
  const items = parse(readReadme());
  const next = items.findIndex((item, i) => i > 0 && item.kind === 'heading');
  const intro = items.slice(1, next < 0 ? items.length : next).filter((item) => item.kind === 'text');
  const words = intro.map((item) => item.text).join(' ').split(/\s+/).filter((w) => /[a-z]/i.test(w));
  assert.ok(!/\bTODO\b/.test(intro.map((item) => item.text).join(' ')), 'Replace the TODO line under the title with your own words');
  assert.ok(words.length >= 8,
    'Under the title, before the first section, write a sentence or two (8 words or more) that say what tally does');
});

test('There is a section on how to run it, with the command', () => {
  const items = parse(readReadme());
  const run = section(items, RUN);
  assert.ok(run, 'Add a section with a heading such as ## How to run it');
  const found = commands(run.items).filter((c) => c.words[1] && !c.words[1].startsWith('-'));
  assert.ok(found.length > 0,
    `Under "${run.heading.text}" (line ${run.heading.line}), show the command that runs the program, in a code block: node tally.js notes.txt`);
});

test('Every node command in the README names a real file', () => {
  const items = parse(readReadme());
  for (const { item, words } of commands(items)) {
    for (const word of words.slice(1)) {
      if (fileLike(word) && !placeholder(word)) {
        assert.ok(fs.existsSync(word),
          `Line ${item.line} says ${words.join(' ')}, but there is no file called ${word} in this project. ` +
          'A reader will copy your command exactly: use the real file names (look at the files on the left)');
      }
    }
  }
});

test('The run command in the README really works', () => {
  const items = parse(readReadme());
  const run = section(items, RUN);
  assert.ok(run, 'Add a section with a heading such as ## How to run it');
  const found = commands(run.items).filter((c) => c.words[1] && !c.words[1].startsWith('-'));
  assert.ok(found.length > 0, `Under "${run.heading.text}", show the command that runs the program`);
  const tally = found.find((c) => c.words[1] === 'tally.js' || c.words[1] === './tally.js');
  assert.ok(tally, `The command on line ${found[0].item.line}, ${found[0].words.join(' ')}, should run the program tally.js`);
  const { item, words } = tally;
  const args = words.slice(1).map((word) => (placeholder(word) ? 'notes.txt' : word));
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 15000 });
  assert.ok(!result.signal, `The command on line ${item.line}, ${words.join(' ')}, took too long to finish`);
  assert.ok(result.status === 0 && /has \d+ words/.test(result.stdout || ''),
    `The command on line ${item.line}, ${words.join(' ')}, did not count any words when we ran it. ` +
    'Try it yourself: does the program need the name of a text file after it?');
});

test('There is a section on how to test it, with node --test', () => {
  const items = parse(readReadme());
  const tests = section(items, TEST);
  assert.ok(tests, 'Add a section with a heading such as ## How to test it');
  const found = commands(tests.items).filter((c) => c.words[1] === '--test');
  assert.ok(found.length > 0,
    `Under "${tests.heading.text}" (line ${tests.heading.line}), show the command that runs the tests, in a code block: node --test`);
});
