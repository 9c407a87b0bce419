function loadBook(baseUrl, id) {
  return fetch(baseUrl + "/books/" + id).then(
    (response) => {
      if (response.status === 404) {
        return { ok: false, message: "No such book" };
      }
      if (response.status < 200 || response.status > 299) {
        return { ok: false, message: "The library server has a problem (" + response.status + ")" };
      }
      return response.json().then(
        (book) => ({ ok: true, book: book }),
        () => ({ ok: false, message: "The answer was not valid JSON" }),
      );
    },
    () => ({ ok: false, message: "Could not reach the library server" }),
  );
}

module.exports = { loadBook };
