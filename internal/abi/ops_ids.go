package abi

import "reflect"

// Durable Object IDs, namespaces and stubs: IDs from names and strings,
// jurisdictions, fetch and RPC calls to objects, and the stubs the host
// keeps for the guest. Codes: the first block, and 50–59.

// The codes of the synchronous operations (the call import), as the
// rows below describe them.
const (
	CallIDFromName   CallOp = 7
	CallNewUniqueID  CallOp = 8
	CallIDFromString CallOp = 50
	CallJurisdiction CallOp = 51
	CallStubRelease  CallOp = 52
)

// The codes of the asynchronous operations (the start import), as the
// rows below describe them.
const (
	AsyncStubFetch AsyncOp = 2
	AsyncStubCall  AsyncOp = 3
)

// The descriptors of the operations above, with the types of their
// requests and results (rt.Do, rt.AwaitOp).
var (
	// OpIDFromName is the descriptor of id.fromName.
	OpIDFromName = Sync[StubTarget, ObjectID]{Code: CallIDFromName}
	// OpNewUniqueID is the descriptor of id.newUnique.
	OpNewUniqueID = Sync[NewUniqueID, ObjectID]{Code: CallNewUniqueID}
	// OpIDFromString is the descriptor of id.fromString.
	OpIDFromString = Sync[StubTarget, ObjectID]{Code: CallIDFromString}
	// OpJurisdiction is the descriptor of ns.jurisdiction.
	OpJurisdiction = Sync[StubTarget, Empty]{Code: CallJurisdiction}
	// OpStubRelease is the descriptor of stub.release.
	OpStubRelease = Sync[[]uint32, Empty]{Code: CallStubRelease}
	// OpStubFetch is the descriptor of stub.fetch.
	OpStubFetch = Async[StubFetch, Response]{Code: AsyncStubFetch}
	// OpStubCall is the descriptor of stub.call.
	OpStubCall = Async[StubCall, Value]{Code: AsyncStubCall}
)

// idOps are the rows of the table for the operations above.
func idOps() feature {
	return feature{
		name:  "ids",
		codes: blockIDs,
		calls: []OpInfo{
			{Code: int32(CallIDFromName), Name: "id.fromName",
				Request: reflect.TypeFor[StubTarget](), Result: reflect.TypeFor[ObjectID](),
				Doc: "idFromName: the ID of the object with a name (StubTarget with Binding, Jurisdiction and Name)"},
			{Code: int32(CallNewUniqueID), Name: "id.newUnique",
				Request: reflect.TypeFor[NewUniqueID](), Result: reflect.TypeFor[ObjectID](),
				Doc: "newUniqueId({jurisdiction}): the ID of a new object"},
			{Code: int32(CallIDFromString), Name: "id.fromString",
				Request: reflect.TypeFor[StubTarget](), Result: reflect.TypeFor[ObjectID](),
				Doc: "idFromString: the ID a string names, checked (StubTarget with Binding, Jurisdiction and ID)"},
			{Code: int32(CallJurisdiction), Name: "ns.jurisdiction",
				Request: reflect.TypeFor[StubTarget](),
				Doc:     "check that the namespace has a jurisdictional sub-namespace (jurisdiction(Jurisdiction) of Binding)"},
			{Code: int32(CallStubRelease), Name: "stub.release", Request: reflect.TypeFor[[]uint32](),
				Doc: "forget the stubs the host keeps for the guest under these handles (ExtStub): the guest holds them no more"},
		},
		asyncs: []OpInfo{
			{Code: int32(AsyncStubFetch), Name: "stub.fetch",
				Request: reflect.TypeFor[StubFetch](), Result: reflect.TypeFor[Response](),
				Doc: "an HTTP request to a Durable Object"},
			{Code: int32(AsyncStubCall), Name: "stub.call",
				Request: reflect.TypeFor[StubCall](), Result: reflect.TypeFor[Value](),
				Doc: "a call of a Durable Object's RPC method; the result is one value, or empty for undefined"},
		},
	}
}
