// ink imports react-devtools-core only when DEV=true; the image's bundle has no devtools.
export default { initialize() {}, connectToDevTools() {} };
