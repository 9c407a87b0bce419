const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

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

test('The README starts with a title', () => {
  const items = parse(readReadme());
  const first = items[0];
  assert.ok(first && first.kind === 'heading' && first.level === 1,
    'The first line of README.md should be a title: a # and the name of the app');
});

test('Under the title, a few sentences say what the app does', () => {
  const items = parse(readReadme());
  const next = items.findIndex((item, i) => i > 0 && item.kind === 'heading');
  const intro = items.slice(1, next < 0 ? items.length : next).filter((item) => item.kind === 'text');
  const text = intro.map((item) => item.text).join(' ');
  assert.ok(!/\bTODO\b/.test(text), 'Replace the TODO line under the title with your own words');
  const words = text.split(/\s+/).filter((w) => /[a-z]/i.test(w));
  assert.ok(words.length >= 12,
    'Under the title, before the first section, write a few sentences (12 words or more) that say what the app is for');
});

test('There is a section on how to run it: node server.js', () => {
  const items = parse(readReadme());
  const run = section(items, RUN);
  assert.ok(run, 'Add a section with a heading such as ## How to run it');
  const found = commands(run.items).filter((c) => c.words[1] && !c.words[1].startsWith('-'));
  assert.ok(found.some((c) => /^(\.\/)?server\.js$/.test(c.words[1])),
    `Under "${run.heading.text}" (line ${run.heading.line}), show the command that starts the app, in a code block: node server.js`);
});

test('Every node command in the README names a real file', () => {
  const items = parse(readReadme());
  for (const { item, words } of commands(items)) {
    for (const word of words.slice(1)) {
      if (fileLike(word) && !placeholder(word)) {
        assert.ok(fs.existsSync(word),
          `Line ${item.line} says ${words.join(' ')}, but there is no file called ${word} in this project. ` +
          'A reader will copy your command exactly: use the real file names');
      }
    }
  }
});

test('The README says where to open the app: the address or port 3000', () => {
  const text = readReadme();
  assert.ok(/localhost:3000|127\.0\.0\.1:3000|port 3000/i.test(text),
    'Tell the reader where to look once it runs: http://localhost:3000/ (server.js uses port 3000)');
});
