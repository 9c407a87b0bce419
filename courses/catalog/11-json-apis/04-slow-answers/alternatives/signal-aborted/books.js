async function loadBooks(baseUrl, ms) {
  const controller = new AbortController();
  const timer = setTimeout(function () {
    controller.abort();
  }, ms);
  let result;
  try {
    const response = await fetch(baseUrl + "/books", { signal: controller.signal });
    const books = await response.json();
    result = { ok: true, books: books };
  } catch (error) {
    if (controller.signal.aborted) {
      result = { ok: false, message: "The library server is too slow" };
    } else {
      result = { ok: false, message: "Could not reach the library server" };
    }
  }
  clearTimeout(timer);
  return result;
}

module.exports = { loadBooks };
