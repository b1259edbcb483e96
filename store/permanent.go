package store

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// Permanent reports whether err is Postgres refusing a statement for the values it was
// given, so that running it again with the same input can only fail the same way:
//   - class 22, data exception: text that is not valid UTF-8 or holds a NUL (22021),
//     a character the encoding cannot hold (22P05), a value out of range or too long;
//   - class 23, integrity constraint violation: a check, a foreign key, a unique key, a
//     NOT NULL column refusing the row;
//   - class 54, program limit exceeded: a value too large for an index row, a statement
//     too complex — sizes that come from the input.
//
// Anything else (a lost connection, a deadlock or serialization failure, the server
// shutting down, a statement a migration not yet applied cannot run) may pass, and is
// retried within its caller's bounds.
func Permanent(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || len(pgErr.Code) != 5 {
		return false
	}
	switch pgErr.Code[:2] {
	case "22", "23", "54":
		return true
	}
	return false
}
