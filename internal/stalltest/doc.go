// Package stalltest gives grove's tests a tracking server that has stopped
// answering: it accepts connections and never says a word, as a server
// whose workers are all stuck does, so that a test can show how long a
// client or a command waits for it and what it says when it gives up.
package stalltest
