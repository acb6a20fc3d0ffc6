package abi

import "reflect"

// The operations on a Durable Object's storage: its KV and SQL,
// deleteAll, transactionSync, sync and point-in-time recovery. Their codes
// are in the first block; a new one takes a block of its own (table.go).

// The codes of the synchronous operations (the call import), as the
// rows below describe them.
const (
	CallKVGet           CallOp = 2
	CallKVPut           CallOp = 3
	CallKVDelete        CallOp = 4
	CallKVList          CallOp = 5
	CallSQLExec         CallOp = 6
	CallSQLDatabaseSize CallOp = 9
	CallDeleteAll       CallOp = 10
	CallTransactionSync CallOp = 11
	CallKVGetMany       CallOp = 15
	CallKVPutMany       CallOp = 16
	CallKVDeleteMany    CallOp = 17
)

// The codes of the asynchronous operations (the start import), as the
// rows below describe them.
const (
	AsyncSync            AsyncOp = 7
	AsyncCurrentBookmark AsyncOp = 8
	AsyncBookmarkForTime AsyncOp = 9
	AsyncRestoreBookmark AsyncOp = 10
)

// The descriptors of the operations above, with the types of their
// requests and results (rt.Do, rt.AwaitOp).
var (
	// OpKVGet is the descriptor of kv.get.
	OpKVGet = Sync[KVGetRequest, Raw]{Code: CallKVGet}
	// OpKVPut is the descriptor of kv.put.
	OpKVPut = Sync[KVPutRequest, Empty]{Code: CallKVPut}
	// OpKVDelete is the descriptor of kv.delete.
	OpKVDelete = Sync[KVKey, bool]{Code: CallKVDelete}
	// OpKVList is the descriptor of kv.list.
	OpKVList = Sync[KVList, []KVEntry]{Code: CallKVList}
	// OpSQLExec is the descriptor of sql.exec.
	OpSQLExec = Sync[SQLExecRequest, SQLExecResult]{Code: CallSQLExec}
	// OpSQLDatabaseSize is the descriptor of sql.databaseSize.
	OpSQLDatabaseSize = Sync[Empty, int64]{Code: CallSQLDatabaseSize}
	// OpDeleteAll is the descriptor of storage.deleteAll.
	OpDeleteAll = Sync[Empty, Empty]{Code: CallDeleteAll}
	// OpTransactionSync is the descriptor of storage.transactionSync.
	OpTransactionSync = Sync[int32, Empty]{Code: CallTransactionSync}
	// OpKVGetMany is the descriptor of kv.getMany.
	OpKVGetMany = Sync[[]string, []KVEntry]{Code: CallKVGetMany}
	// OpKVPutMany is the descriptor of kv.putMany.
	OpKVPutMany = Sync[[]KVEntry, Empty]{Code: CallKVPutMany}
	// OpKVDeleteMany is the descriptor of kv.deleteMany.
	OpKVDeleteMany = Sync[[]string, int]{Code: CallKVDeleteMany}
	// OpSync is the descriptor of storage.sync.
	OpSync = Async[Empty, Empty]{Code: AsyncSync}
	// OpCurrentBookmark is the descriptor of storage.getCurrentBookmark.
	OpCurrentBookmark = Async[Empty, string]{Code: AsyncCurrentBookmark}
	// OpBookmarkForTime is the descriptor of storage.getBookmarkForTime.
	OpBookmarkForTime = Async[float64, string]{Code: AsyncBookmarkForTime}
	// OpRestoreBookmark is the descriptor of storage.onNextSessionRestoreBookmark.
	OpRestoreBookmark = Async[string, string]{Code: AsyncRestoreBookmark}
)

// storageOps are the rows of the table for the operations above.
func storageOps() feature {
	return feature{
		name:  "storage",
		codes: codeRange{},
		calls: []OpInfo{
			{Code: int32(CallKVGet), Name: "kv.get", Object: true, Fault: "kv.get",
				Request: reflect.TypeFor[KVGetRequest](), Result: reflect.TypeFor[Raw](),
				Doc: "the stored bytes of a key; an empty result when the key is absent"},
			{Code: int32(CallKVPut), Name: "kv.put", Object: true, Fault: "kv.put",
				Request: reflect.TypeFor[KVPutRequest](),
				Doc:     "store a value"},
			{Code: int32(CallKVDelete), Name: "kv.delete", Object: true, Fault: "kv.delete",
				Request: reflect.TypeFor[KVKey](), Result: reflect.TypeFor[bool](),
				Doc: "delete a key; whether it existed"},
			{Code: int32(CallKVList), Name: "kv.list", Object: true, Fault: "kv.list",
				Request: reflect.TypeFor[KVList](), Result: reflect.TypeFor[[]KVEntry](),
				Doc: "keys and values in key order"},
			{Code: int32(CallKVGetMany), Name: "kv.getMany", Object: true, Fault: "kv.getMany",
				Request: reflect.TypeFor[[]string](), Result: reflect.TypeFor[[]KVEntry](),
				Doc: "the entries of the keys that exist, in the order asked"},
			{Code: int32(CallKVPutMany), Name: "kv.putMany", Object: true, Fault: "kv.putMany",
				Request: reflect.TypeFor[[]KVEntry](),
				Doc:     "store every entry"},
			{Code: int32(CallKVDeleteMany), Name: "kv.deleteMany", Object: true, Fault: "kv.deleteMany",
				Request: reflect.TypeFor[[]string](), Result: reflect.TypeFor[int](),
				Doc: "delete the keys; how many existed"},
			{Code: int32(CallSQLExec), Name: "sql.exec", Object: true, Fault: "sql.exec",
				Request: reflect.TypeFor[SQLExecRequest](), Result: reflect.TypeFor[SQLExecResult](),
				Doc: "run one SQL statement"},
			{Code: int32(CallSQLDatabaseSize), Name: "sql.databaseSize", Object: true, Fault: "sql.databaseSize",
				Result: reflect.TypeFor[int64](),
				Doc:    "the size of the object's database in bytes"},
			{Code: int32(CallDeleteAll), Name: "storage.deleteAll", Object: true, Fault: "storage.deleteAll",
				Doc: "delete all of the object's storage: KV, SQL tables and the alarm"},
			{Code: int32(CallTransactionSync), Name: "storage.transactionSync", Object: true, Fault: "storage.transactionSync",
				Request: reflect.TypeFor[int32](),
				Doc:     "workerd's transactionSync around ExportTransaction(the request's ID): the writes the guest's function makes commit together, or roll back together when it fails"},
		},
		asyncs: []OpInfo{
			{Code: int32(AsyncSync), Name: "storage.sync", Object: true, Fault: "storage.sync",
				Doc: "wait until the object's writes so far are durable (workerd's storage.sync())"},
			{Code: int32(AsyncCurrentBookmark), Name: "storage.getCurrentBookmark", Object: true, Fault: "storage.getCurrentBookmark",
				Result: reflect.TypeFor[string](),
				Doc:    "a bookmark of the object's storage as it is now"},
			{Code: int32(AsyncBookmarkForTime), Name: "storage.getBookmarkForTime", Object: true, Fault: "storage.getBookmarkForTime",
				Request: reflect.TypeFor[float64](), Result: reflect.TypeFor[string](),
				Doc: "the bookmark of the object's storage at a time in ms since the epoch (within the last 30 days)"},
			{Code: int32(AsyncRestoreBookmark), Name: "storage.onNextSessionRestoreBookmark", Object: true, Fault: "storage.onNextSessionRestoreBookmark",
				Request: reflect.TypeFor[string](), Result: reflect.TypeFor[string](),
				Doc: "restore the object's storage to a bookmark when the object next starts; a bookmark that undoes it"},
		},
	}
}
