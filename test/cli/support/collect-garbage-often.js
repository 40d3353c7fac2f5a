// Preloaded into a CLI process (node --expose-gc --require): collects garbage every 100 ms, as a
// process that allocates for a minute does sooner or later, so that what only a reference keeps
// alive (an abort signal's timer) is gone as soon as nothing holds it.
setInterval(() => global.gc(), 100).unref();
