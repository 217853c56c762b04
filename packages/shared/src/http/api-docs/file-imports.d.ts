// What ./assets.bundled.ts imports with `{ type: "file" }`: each file's path, relative to the
// bundle (packages/build: file imports).
declare module "swagger-ui-dist/swagger-ui-bundle.js" {
  const path: string;
  export default path;
}
declare module "swagger-ui-dist/swagger-ui.css" {
  const path: string;
  export default path;
}
