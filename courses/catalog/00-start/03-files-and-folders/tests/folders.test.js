// Files and folders: the tests look at which files are where in the exercise folder.
// The starting files (shopping.txt, soup.txt, cake.txt, junk.txt) are put back by Slate
// each time the exercise is opened, so a copy left at the top is never a mistake, except
// junk.txt, which has its own test.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const HERE = __dirname;
const STARTING = ['notes.txt', 'shopping.txt', 'soup.txt', 'cake.txt', 'junk.txt'];
const FOLDERS = {
  lists: ['shopping.txt'],
  recipes: ['soup.txt', 'apple-cake.txt', 'cake.txt'],
};

// Every file under the folder, as "folder/name" (the check's own test file left out).
function everything(dir = HERE, prefix = '') {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + entry.name;
    if (entry.name.startsWith('.') || entry.name.endsWith('.test.js')) continue;
    if (entry.isDirectory()) {
      found.push(...everything(path.join(dir, entry.name), `${rel}/`));
    } else {
      found.push(rel);
    }
  }
  return found;
}

function text(rel) {
  try {
    return fs.readFileSync(path.join(HERE, rel), 'utf8');
  } catch {
    return null;
  }
}

function isFile(rel) {
  try {
    return fs.statSync(path.join(HERE, rel)).isFile();
  } catch {
    return false;
  }
}

// Which starting file a moved file came from, by what it says.
function fromWhich(content) {
  if (content === null) return null;
  if (content.startsWith('Shopping list')) return 'shopping.txt';
  if (content.startsWith('Onion soup')) return 'soup.txt';
  if (content.startsWith('Apple cake')) return 'cake.txt';
  if (content.startsWith('asdf')) return 'junk.txt';
  if (content.startsWith('Moving day')) return 'notes.txt';
  return null;
}

test('Nothing is in the wrong place', () => {
  for (const rel of everything()) {
    const parts = rel.split('/');
    if (parts.length === 1 && STARTING.includes(rel)) continue;
    if (parts.length === 2 && (FOLDERS[parts[0]] || []).includes(parts[1])) continue;
    const was = fromWhich(text(rel));
    const what = was ? ` (it is ${was})` : '';
    if (parts.length === 1) {
      const folder = Object.keys(FOLDERS).find((f) => f.toLowerCase().startsWith(
        rel.toLowerCase().replace(/\/$/, '').slice(0, 4)));
      if (folder) {
        assert.fail(`There is a file called ${rel}${what}, where a folder should be. ` +
          'When the folder does not exist yet, mv gives the file a new name instead ' +
          `of moving it. Make the folder first (mkdir ${folder}), then move the file ` +
          `into it: mv ${rel} ${folder}/${was || ''}`);
      }
      assert.fail(`There is a file called ${rel}${what} that is not part of the plan. ` +
        `Check its name with ls. Rename it with mv, or delete it with rm ${rel}.`);
    }
    const folder = parts.slice(0, -1).join('/');
    const right = Object.keys(FOLDERS).find((f) => f.toLowerCase() === folder.toLowerCase());
    if (right && right !== folder) {
      assert.fail(`The folder ${folder} should be called ${right}: names in a computer ` +
        `care about capital letters. Make ${right} (mkdir ${right}) and move the file ` +
        `into it: mv ${rel} ${right}/`);
    }
    if (FOLDERS[folder]) {
      assert.fail(`The folder ${folder} holds ${parts[parts.length - 1]}${what}, which ` +
        'belongs somewhere else. Look at the plan in notes.txt and move it with mv.');
    }
    assert.fail(`There is a folder called ${folder} holding ${rel}${what}. The plan has ` +
      'only the folders lists and recipes. Check the spelling of the folder names with ls.');
  }
});

test('shopping.txt is in the folder lists', () => {
  if (!isFile('lists/shopping.txt')) {
    assert.fail('There is no file shopping.txt in a folder called lists yet. Make the ' +
      'folder with mkdir lists, then move the file: mv shopping.txt lists/');
  }
  assert.equal(fromWhich(text('lists/shopping.txt')), 'shopping.txt',
    'lists/shopping.txt is not the shopping list. Move the file shopping.txt there ' +
    '(mv shopping.txt lists/), not another file.');
});

test('soup.txt is in the folder recipes', () => {
  if (!isFile('recipes/soup.txt')) {
    assert.fail('There is no file soup.txt in a folder called recipes yet. Make the ' +
      'folder with mkdir recipes, then move the file: mv soup.txt recipes/');
  }
  assert.equal(fromWhich(text('recipes/soup.txt')), 'soup.txt',
    'recipes/soup.txt is not the soup recipe. Move the file soup.txt there.');
});

test('cake.txt is in recipes with the name apple-cake.txt', () => {
  if (isFile('recipes/apple-cake.txt')) {
    assert.equal(fromWhich(text('recipes/apple-cake.txt')), 'cake.txt',
      'recipes/apple-cake.txt is not the cake recipe. It should be cake.txt, moved and ' +
      'given its new name.');
    assert.ok(!isFile('recipes/cake.txt'),
      'The folder recipes has both cake.txt and apple-cake.txt. The cake recipe should ' +
      'be there once, as apple-cake.txt: delete the extra one with rm recipes/cake.txt');
    return;
  }
  if (isFile('recipes/cake.txt')) {
    assert.fail('cake.txt is in recipes, but still has its old name. Give it its new ' +
      'name with mv: mv recipes/cake.txt recipes/apple-cake.txt');
  }
  assert.fail('There is no apple-cake.txt in the folder recipes yet. Move cake.txt into ' +
    'recipes (mv cake.txt recipes/), then rename it: ' +
    'mv recipes/cake.txt recipes/apple-cake.txt');
});

test('junk.txt is deleted', () => {
  assert.ok(!isFile('junk.txt'),
    'junk.txt is still here. Delete it with rm junk.txt. (If you left this exercise and ' +
    'came back, Slate put its starting files back: just delete it again.)');
});
