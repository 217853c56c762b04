// What ./assets.bundled.ts imports with `{ type: "file" }`: the file's path, relative to the
// bundle (packages/build: file imports). A pattern, since a declaration cannot name a relative
// module; the compiler reaches it because the .js itself is no source of the program.
declare module "*/fluxnotify-inbox.js" {
  const path: string;
  export default path;
}
