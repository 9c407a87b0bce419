async function getTitles(baseUrl) {
  const response = await fetch(`${baseUrl}/books`);
  const data = await response.json();
  const titles = [];
  for (const book of data) {
    titles.push(book.title);
  }
  return titles;
}

async function getBook(baseUrl, id) {
  const response = await fetch(`${baseUrl}/books/${id}`);
  if (!response.ok) {
    return null;
  }
  return response.json();
}

module.exports = { getTitles, getBook };
