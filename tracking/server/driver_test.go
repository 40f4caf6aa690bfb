package server

// The tests read what the server wrote with database/sql, an independent
// look at the file beside the store's own reads.
import _ "modernc.org/sqlite"
