function loadBooks(baseUrl, ms) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  return fetch(`${baseUrl}/books`, { signal: controller.signal })
    .then((response) => response.json())
    .then((books) => ({ ok: true, books }))
    .catch((error) => ({
      ok: false,
      message: error.name === "AbortError"
        ? "The library server is too slow"
        : "Could not reach the library server",
    }))
    .finally(() => clearTimeout(timer));
}

module.exports = { loadBooks };
