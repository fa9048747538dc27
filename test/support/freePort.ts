export { freePort } from "./postgres.mjs"
