// Preloaded into a CLI process (node --require): at its exit, writes the files of every module it
// loaded to $LOADED_MODULES_FILE, for a test to tell what a run paid for.
const { writeFileSync } = require('node:fs');

process.on('exit', () => writeFileSync(process.env.LOADED_MODULES_FILE, JSON.stringify(Object.keys(require.cache))));
