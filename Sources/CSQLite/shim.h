#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is the macro ((sqlite3_destructor_type)-1), which Swift cannot import:
// it tells SQLite to copy a bound string or blob before the call returns.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

// SQLITE_STATIC ((sqlite3_destructor_type)0): the buffer outlives the statement's use of it.
static inline sqlite3_destructor_type csqlite_static(void) { return SQLITE_STATIC; }

#endif
