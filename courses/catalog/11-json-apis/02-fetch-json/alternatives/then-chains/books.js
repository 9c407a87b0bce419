function getTitles(baseUrl) {
  return fetch(baseUrl + "/books")
    .then((response) => response.json())
    .then((books) => books.map((b) => b.title));
}

function getBook(baseUrl, id) {
  return fetch(baseUrl + "/books/" + id).then((r) => r.json());
}

module.exports = { getTitles, getBook };
