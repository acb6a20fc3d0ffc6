package workerd

import (
	"strconv"
	"strings"

	"github.com/ncruces/go-sqlite3"
)

// The rules below reproduce what workerd (v1.20261117, the version
// wrangler 4.164 runs) allows a Durable Object's SQL to do: the limits it
// sets on every database, and its authorizer. Two of them changed in 2026
// without a compatibility flag, so the floor (wrangler 4.86, workerd
// v1.20260426) differs: it limits strings, blobs and rows to 2,200,000
// bytes (workerd's 2026-08 releases raised it to 4 MiB, v1.20261117 has
// 8 MiB + 34 bytes), and it refuses only the lower-case _cf_ prefix (any
// case since 2026-06).

// sqlLimits are the sqlite3_limit values workerd sets.
var sqlLimits = []struct {
	id    sqlite3.LimitCategory
	value int
}{
	{sqlite3.LIMIT_LENGTH, maxSQLValue},
	{sqlite3.LIMIT_SQL_LENGTH, 100000},
	{sqlite3.LIMIT_COLUMN, 100},
	{sqlite3.LIMIT_EXPR_DEPTH, 100},
	{sqlite3.LIMIT_COMPOUND_SELECT, 5},
	{sqlite3.LIMIT_VDBE_OP, 25000},
	{sqlite3.LIMIT_FUNCTION_ARG, 127},
	{sqlite3.LIMIT_ATTACHED, 0},
	{sqlite3.LIMIT_LIKE_PATTERN_LENGTH, 50},
	{sqlite3.LIMIT_VARIABLE_NUMBER, 100},
	{sqlite3.LIMIT_TRIGGER_DEPTH, 10},
	{sqlite3.LIMIT_WORKER_THREADS, 0},
}

// maxSQLValue is SQLITE_LIMIT_LENGTH: the largest string, blob or row,
// as measured in workerd v1.20261117 (SELECT length(zeroblob(n)) and a
// bound string succeed up to this n).
const maxSQLValue = 8<<20 + 34

// maxSQLLength is SQLITE_LIMIT_SQL_LENGTH: workerd passes the statement's
// length to sqlite3_prepare_v3, so SQLite checks it up front.
const maxSQLLength = 100000

// transactionMessage is workerd's error for BEGIN, COMMIT, ROLLBACK and
// SAVEPOINT statements.
const transactionMessage = "To execute a transaction, please use the state.storage.transaction() or " +
	"state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT " +
	"statements. The JavaScript API is safer because it will automatically roll back on " +
	"exceptions, and because it interacts correctly with Durable Objects' automatic atomic " +
	"write coalescing."

// allowedFunctions are the SQL functions workerd lets user queries call.
var allowedFunctions = setOf(
	// core
	"abs", "changes", "char", "coalesce", "concat", "concat_ws", "format", "glob", "hex",
	"ifnull", "iif", "instr", "last_insert_rowid", "length", "like", "likelihood", "likely",
	"load_extension", "lower", "ltrim", "max_scalar", "min_scalar", "nullif", "octet_length",
	"printf", "quote", "random", "randomblob", "replace", "round", "rtrim", "sign", "soundex",
	"substr", "substring", "total_changes", "trim", "typeof", "unhex", "unicode", "unlikely",
	"upper", "zeroblob",
	// date and time
	"date", "time", "datetime", "julianday", "unixepoch", "strftime", "timediff",
	"current_date", "current_time", "current_timestamp",
	// aggregates
	"avg", "count", "group_concat", "max", "min", "string_agg", "sum", "total",
	// window functions
	"row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
	"first_value", "last_value", "nth_value",
	// math
	"acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "cos", "cosh",
	"degrees", "exp", "floor", "ln", "log", "log2", "mod", "pi", "pow", "radians", "sin",
	"sinh", "sqrt", "tan", "tanh", "trunc",
	// JSON
	"json", "jsonb", "json_array", "jsonb_array", "json_array_length", "json_extract",
	"jsonb_extract", "->", "->>", "json_insert", "jsonb_insert", "json_object", "jsonb_object",
	"json_patch", "jsonb_patch", "json_remove", "jsonb_remove", "json_replace", "jsonb_replace",
	"json_set", "jsonb_set", "json_type", "json_valid", "json_quote", "json_group_array",
	"jsonb_group_array", "json_group_object", "jsonb_group_object", "json_each", "json_tree",
	// FTS5
	"match", "highlight", "bm25", "snippet",
	// ALTER TABLE internals
	"sqlite_rename_column", "sqlite_rename_table", "sqlite_rename_test", "sqlite_drop_column",
	"sqlite_rename_quotefix",
)

type pragmaSig int

const (
	pragmaNoArg pragmaSig = iota
	pragmaBoolean
	pragmaObjectName
	pragmaOptionalObjectName
	pragmaNullOrNumber
	pragmaNullNumberOrObjectName
)

var allowedPragmas = map[string]pragmaSig{
	"data_version":              pragmaNoArg,
	"case_sensitive_like":       pragmaBoolean,
	"foreign_keys":              pragmaBoolean,
	"defer_foreign_keys":        pragmaBoolean,
	"ignore_check_constraints":  pragmaBoolean,
	"legacy_alter_table":        pragmaBoolean,
	"recursive_triggers":        pragmaBoolean,
	"reverse_unordered_selects": pragmaBoolean,
	"foreign_key_check":         pragmaOptionalObjectName,
	"foreign_key_list":          pragmaObjectName,
	"index_info":                pragmaObjectName,
	"index_list":                pragmaObjectName,
	"index_xinfo":               pragmaObjectName,
	"quick_check":               pragmaNullNumberOrObjectName,
	"optimize":                  pragmaNullOrNumber,
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// allowedName reports whether user SQL may name a table, index, trigger
// or view: names starting with _cf_, in any case, are workerd's.
// (v1.20260426 refused only the lower-case prefix and logged a warning
// for the others.)
func allowedName(name string) bool {
	return len(name) < 4 || !strings.EqualFold(name[:4], "_cf_")
}

// authorize is the authorizer of user queries. It sets *txn when the
// statement is refused for being a transaction statement, so that the
// caller reports workerd's message for it.
func authorize(action sqlite3.AuthorizerActionCode, p1, p2, dbName string, txn *bool) sqlite3.AuthorizerReturnCode {
	ok := func(b bool) sqlite3.AuthorizerReturnCode {
		if b {
			return sqlite3.AUTH_OK
		}
		return sqlite3.AUTH_DENY
	}
	if action == sqlite3.AUTH_ALTER_TABLE || action == sqlite3.AUTH_DETACH {
		// SQLite passes the database name first for these two.
		p1, p2, dbName = p2, dbName, p1
	}
	switch dbName {
	case "", "main":
	case "temp":
		switch action {
		case sqlite3.AUTH_READ, sqlite3.AUTH_UPDATE:
			return ok(allowedName(p1))
		}
		return sqlite3.AUTH_DENY
	default:
		return sqlite3.AUTH_DENY
	}
	switch action {
	case sqlite3.AUTH_SELECT, sqlite3.AUTH_RECURSIVE, sqlite3.AUTH_ANALYZE:
		return sqlite3.AUTH_OK
	case sqlite3.AUTH_CREATE_TABLE, sqlite3.AUTH_DELETE, sqlite3.AUTH_DROP_TABLE, sqlite3.AUTH_INSERT,
		sqlite3.AUTH_CREATE_VIEW, sqlite3.AUTH_DROP_VIEW, sqlite3.AUTH_REINDEX,
		sqlite3.AUTH_READ, sqlite3.AUTH_UPDATE, sqlite3.AUTH_ALTER_TABLE:
		return ok(allowedName(p1))
	case sqlite3.AUTH_CREATE_INDEX, sqlite3.AUTH_DROP_INDEX, sqlite3.AUTH_CREATE_TRIGGER, sqlite3.AUTH_DROP_TRIGGER:
		return ok(allowedName(p1) && allowedName(p2))
	case sqlite3.AUTH_TRANSACTION, sqlite3.AUTH_SAVEPOINT:
		*txn = true
		return sqlite3.AUTH_DENY
	case sqlite3.AUTH_PRAGMA:
		return ok(pragmaAllowed(p1, p2))
	case sqlite3.AUTH_FUNCTION:
		return ok(allowedFunctions[p2])
	case sqlite3.AUTH_CREATE_VTABLE, sqlite3.AUTH_DROP_VTABLE:
		switch strings.ToLower(p2) {
		case "fts5", "fts5vocab", "rtree", "rtree_i32":
			return ok(allowedName(p1))
		}
		return sqlite3.AUTH_DENY
	}
	// ATTACH, DETACH, temporary objects and anything unknown.
	return sqlite3.AUTH_DENY
}

func pragmaAllowed(pragma, arg string) bool {
	switch pragma {
	case "table_list":
		return true
	case "table_info", "table_xinfo":
		return arg != "" && allowedName(arg)
	}
	sig, ok := allowedPragmas[pragma]
	if !ok {
		return false
	}
	switch sig {
	case pragmaNoArg:
		return arg == ""
	case pragmaBoolean:
		if arg == "" {
			return true
		}
		v := arg
		if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		lv := strings.ToLower(v)
		for _, p := range []string{"true", "false", "yes", "no", "on", "off", "1", "0"} {
			if strings.HasPrefix(lv, p) {
				return true
			}
		}
		return false
	case pragmaObjectName:
		return arg != "" && allowedName(arg)
	case pragmaOptionalObjectName:
		return arg == "" || allowedName(arg)
	case pragmaNullOrNumber:
		if arg == "" {
			return true
		}
		_, err := strconv.ParseInt(arg, 10, 32)
		return err == nil
	case pragmaNullNumberOrObjectName:
		if arg == "" {
			return true
		}
		if _, err := strconv.ParseUint(arg, 10, 32); err == nil {
			return true
		}
		return allowedName(arg)
	}
	return false
}

// Error codes and their names as workerd prints them.
var primaryCodeNames = map[sqlite3.ErrorCode]string{
	sqlite3.ERROR: "SQLITE_ERROR", sqlite3.INTERNAL: "SQLITE_INTERNAL", sqlite3.PERM: "SQLITE_PERM",
	sqlite3.ABORT: "SQLITE_ABORT", sqlite3.BUSY: "SQLITE_BUSY", sqlite3.LOCKED: "SQLITE_LOCKED",
	sqlite3.NOMEM: "SQLITE_NOMEM", sqlite3.READONLY: "SQLITE_READONLY", sqlite3.INTERRUPT: "SQLITE_INTERRUPT",
	sqlite3.IOERR: "SQLITE_IOERR", sqlite3.CORRUPT: "SQLITE_CORRUPT", sqlite3.NOTFOUND: "SQLITE_NOTFOUND",
	sqlite3.FULL: "SQLITE_FULL", sqlite3.CANTOPEN: "SQLITE_CANTOPEN", sqlite3.PROTOCOL: "SQLITE_PROTOCOL",
	sqlite3.EMPTY: "SQLITE_EMPTY", sqlite3.SCHEMA: "SQLITE_SCHEMA", sqlite3.TOOBIG: "SQLITE_TOOBIG",
	sqlite3.CONSTRAINT: "SQLITE_CONSTRAINT", sqlite3.MISMATCH: "SQLITE_MISMATCH", sqlite3.MISUSE: "SQLITE_MISUSE",
	sqlite3.NOLFS: "SQLITE_NOLFS", sqlite3.AUTH: "SQLITE_AUTH", sqlite3.FORMAT: "SQLITE_FORMAT",
	sqlite3.RANGE: "SQLITE_RANGE", sqlite3.NOTADB: "SQLITE_NOTADB", sqlite3.NOTICE: "SQLITE_NOTICE",
	sqlite3.WARNING: "SQLITE_WARNING",
}

var extendedCodeNames = map[sqlite3.ExtendedErrorCode]string{
	sqlite3.ABORT_ROLLBACK: "SQLITE_ABORT_ROLLBACK", sqlite3.AUTH_USER: "SQLITE_AUTH_USER",
	sqlite3.BUSY_RECOVERY: "SQLITE_BUSY_RECOVERY", sqlite3.BUSY_SNAPSHOT: "SQLITE_BUSY_SNAPSHOT",
	sqlite3.BUSY_TIMEOUT: "SQLITE_BUSY_TIMEOUT", sqlite3.CANTOPEN_CONVPATH: "SQLITE_CANTOPEN_CONVPATH",
	sqlite3.ExtendedErrorCode(14 | 5<<8): "SQLITE_CANTOPEN_DIRTYWAL", sqlite3.CANTOPEN_FULLPATH: "SQLITE_CANTOPEN_FULLPATH",
	sqlite3.CANTOPEN_ISDIR: "SQLITE_CANTOPEN_ISDIR", sqlite3.CANTOPEN_NOTEMPDIR: "SQLITE_CANTOPEN_NOTEMPDIR",
	sqlite3.CANTOPEN_SYMLINK: "SQLITE_CANTOPEN_SYMLINK", sqlite3.CONSTRAINT_CHECK: "SQLITE_CONSTRAINT_CHECK",
	sqlite3.CONSTRAINT_COMMITHOOK: "SQLITE_CONSTRAINT_COMMITHOOK", sqlite3.CONSTRAINT_DATATYPE: "SQLITE_CONSTRAINT_DATATYPE",
	sqlite3.CONSTRAINT_FOREIGNKEY: "SQLITE_CONSTRAINT_FOREIGNKEY", sqlite3.CONSTRAINT_FUNCTION: "SQLITE_CONSTRAINT_FUNCTION",
	sqlite3.CONSTRAINT_NOTNULL: "SQLITE_CONSTRAINT_NOTNULL", sqlite3.CONSTRAINT_PINNED: "SQLITE_CONSTRAINT_PINNED",
	sqlite3.CONSTRAINT_PRIMARYKEY: "SQLITE_CONSTRAINT_PRIMARYKEY", sqlite3.CONSTRAINT_ROWID: "SQLITE_CONSTRAINT_ROWID",
	sqlite3.CONSTRAINT_TRIGGER: "SQLITE_CONSTRAINT_TRIGGER", sqlite3.CONSTRAINT_UNIQUE: "SQLITE_CONSTRAINT_UNIQUE",
	sqlite3.CONSTRAINT_VTAB: "SQLITE_CONSTRAINT_VTAB", sqlite3.CORRUPT_INDEX: "SQLITE_CORRUPT_INDEX",
	sqlite3.CORRUPT_SEQUENCE: "SQLITE_CORRUPT_SEQUENCE", sqlite3.CORRUPT_VTAB: "SQLITE_CORRUPT_VTAB",
	sqlite3.ERROR_MISSING_COLLSEQ: "SQLITE_ERROR_MISSING_COLLSEQ", sqlite3.ERROR_RETRY: "SQLITE_ERROR_RETRY",
	sqlite3.ERROR_SNAPSHOT: "SQLITE_ERROR_SNAPSHOT", sqlite3.IOERR_ACCESS: "SQLITE_IOERR_ACCESS",
	sqlite3.IOERR_AUTH: "SQLITE_IOERR_AUTH", sqlite3.IOERR_BEGIN_ATOMIC: "SQLITE_IOERR_BEGIN_ATOMIC",
	sqlite3.IOERR_BLOCKED: "SQLITE_IOERR_BLOCKED", sqlite3.IOERR_CHECKRESERVEDLOCK: "SQLITE_IOERR_CHECKRESERVEDLOCK",
	sqlite3.IOERR_CLOSE: "SQLITE_IOERR_CLOSE", sqlite3.IOERR_COMMIT_ATOMIC: "SQLITE_IOERR_COMMIT_ATOMIC",
	sqlite3.IOERR_CONVPATH: "SQLITE_IOERR_CONVPATH", sqlite3.IOERR_CORRUPTFS: "SQLITE_IOERR_CORRUPTFS",
	sqlite3.IOERR_DATA: "SQLITE_IOERR_DATA", sqlite3.IOERR_DELETE: "SQLITE_IOERR_DELETE",
	sqlite3.IOERR_DELETE_NOENT: "SQLITE_IOERR_DELETE_NOENT", sqlite3.IOERR_DIR_CLOSE: "SQLITE_IOERR_DIR_CLOSE",
	sqlite3.IOERR_DIR_FSYNC: "SQLITE_IOERR_DIR_FSYNC", sqlite3.IOERR_FSTAT: "SQLITE_IOERR_FSTAT",
	sqlite3.IOERR_FSYNC: "SQLITE_IOERR_FSYNC", sqlite3.IOERR_GETTEMPPATH: "SQLITE_IOERR_GETTEMPPATH",
	sqlite3.IOERR_LOCK: "SQLITE_IOERR_LOCK", sqlite3.IOERR_MMAP: "SQLITE_IOERR_MMAP",
	sqlite3.IOERR_NOMEM: "SQLITE_IOERR_NOMEM", sqlite3.IOERR_RDLOCK: "SQLITE_IOERR_RDLOCK",
	sqlite3.IOERR_READ: "SQLITE_IOERR_READ", sqlite3.IOERR_ROLLBACK_ATOMIC: "SQLITE_IOERR_ROLLBACK_ATOMIC",
	sqlite3.IOERR_SEEK: "SQLITE_IOERR_SEEK", sqlite3.IOERR_SHMLOCK: "SQLITE_IOERR_SHMLOCK",
	sqlite3.IOERR_SHMMAP: "SQLITE_IOERR_SHMMAP", sqlite3.IOERR_SHMOPEN: "SQLITE_IOERR_SHMOPEN",
	sqlite3.IOERR_SHMSIZE: "SQLITE_IOERR_SHMSIZE", sqlite3.IOERR_SHORT_READ: "SQLITE_IOERR_SHORT_READ",
	sqlite3.IOERR_TRUNCATE: "SQLITE_IOERR_TRUNCATE", sqlite3.IOERR_UNLOCK: "SQLITE_IOERR_UNLOCK",
	sqlite3.IOERR_VNODE: "SQLITE_IOERR_VNODE", sqlite3.IOERR_WRITE: "SQLITE_IOERR_WRITE",
	sqlite3.LOCKED_SHAREDCACHE: "SQLITE_LOCKED_SHAREDCACHE", sqlite3.LOCKED_VTAB: "SQLITE_LOCKED_VTAB",
	sqlite3.NOTICE_RECOVER_ROLLBACK: "SQLITE_NOTICE_RECOVER_ROLLBACK", sqlite3.NOTICE_RECOVER_WAL: "SQLITE_NOTICE_RECOVER_WAL",
	sqlite3.ExtendedErrorCode(0 | 1<<8): "SQLITE_OK_LOAD_PERMANENTLY", sqlite3.READONLY_CANTINIT: "SQLITE_READONLY_CANTINIT",
	sqlite3.READONLY_CANTLOCK: "SQLITE_READONLY_CANTLOCK", sqlite3.READONLY_DBMOVED: "SQLITE_READONLY_DBMOVED",
	sqlite3.READONLY_DIRECTORY: "SQLITE_READONLY_DIRECTORY", sqlite3.READONLY_RECOVERY: "SQLITE_READONLY_RECOVERY",
	sqlite3.READONLY_ROLLBACK: "SQLITE_READONLY_ROLLBACK", sqlite3.WARNING_AUTOINDEX: "SQLITE_WARNING_AUTOINDEX",
}

// sqliteErrstr is sqlite3_errstr without ncruces's "sqlite3: " prefix.
func sqliteErrstr(code sqlite3.ErrorCode) string {
	return strings.TrimPrefix(code.Error(), "sqlite3: ")
}

// sqlErrorMessage formats a SQLite error as workerd does: the message,
// " at offset N" when SQLite points at a token, the code's name, and the
// extended code's name when it says more.
func sqlErrorMessage(err error, sql string) string {
	var e *sqlite3.Error
	var code sqlite3.ErrorCode
	var xcode sqlite3.ExtendedErrorCode
	msg := ""
	offset := -1
	switch x := err.(type) {
	case *sqlite3.Error:
		e = x
		code, xcode = e.Code(), e.ExtendedCode()
		msg = errorText(e)
		if q := e.SQL(); q != "" && len(q) <= len(sql) {
			offset = len(sql) - len(q)
		}
	case sqlite3.ErrorCode:
		code, xcode = x, sqlite3.ExtendedErrorCode(x)
	case sqlite3.ExtendedErrorCode:
		code, xcode = x.Code(), x
	default:
		return err.Error()
	}
	if msg == "" {
		msg = sqliteErrstr(code)
	}
	var b strings.Builder
	b.WriteString(msg)
	if offset >= 0 {
		b.WriteString(" at offset ")
		b.WriteString(strconv.Itoa(offset))
	}
	b.WriteString(": ")
	if name, ok := primaryCodeNames[code]; ok {
		b.WriteString(name)
	} else {
		b.WriteString("SQLITE_UNKNOWN_ERROR_CODE(" + strconv.Itoa(int(code)) + ")")
	}
	if int(xcode) != int(code) {
		if name, ok := extendedCodeNames[xcode]; ok {
			b.WriteString(" (extended: " + name + ")")
		}
	}
	return b.String()
}

// errorText recovers sqlite3_errmsg from an ncruces error, whose Error()
// is "sqlite3: <errstr>[: <errmsg>]"; errstr alone when errmsg says no more.
func errorText(e *sqlite3.Error) string {
	std := strings.TrimPrefix(e.ExtendedCode().Error(), "sqlite3: ")
	s := strings.TrimPrefix(e.Error(), "sqlite3: ")
	s = strings.TrimPrefix(s, std)
	s = strings.TrimPrefix(s, ": ")
	if s == "" {
		return std
	}
	return s
}
