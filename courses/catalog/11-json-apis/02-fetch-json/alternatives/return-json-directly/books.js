const getTitles = async (baseUrl) => {
  const books = await (await fetch(`${baseUrl}/books`)).json();
  return books.map(({ title }) => title);
};

const getBook = async (baseUrl, id) =>
  (await fetch(new URL(`/books/${id}`, baseUrl))).json();

module.exports = { getTitles, getBook };
