package cpuprof

// Profile is V8's CPU profile (Profiler.stop, the .cpuprofile format).
type Profile struct {
	Nodes      []Node  `json:"nodes"`
	StartTime  float64 `json:"startTime"` // µs
	EndTime    float64 `json:"endTime"`   // µs
	Samples    []int   `json:"samples"`
	TimeDeltas []int   `json:"timeDeltas"` // µs, before each sample
}

// Node is one node of the profile's call tree.
type Node struct {
	ID            int           `json:"id"`
	CallFrame     CallFrame     `json:"callFrame"`
	HitCount      int           `json:"hitCount"`
	Children      []int         `json:"children"`
	PositionTicks []PositionTck `json:"positionTicks"`
}

// CallFrame names a function.
type CallFrame struct {
	FunctionName string `json:"functionName"`
	ScriptID     string `json:"scriptId"`
	URL          string `json:"url"`
	LineNumber   int    `json:"lineNumber"`   // 0-based
	ColumnNumber int    `json:"columnNumber"` // 0-based
}

// PositionTck is the samples that hit one line of a node's function.
type PositionTck struct {
	Line  int `json:"line"` // 1-based
	Ticks int `json:"ticks"`
}
