package abi

import (
	"math/big"
	"testing"
)

func TestBigInt(t *testing.T) {
	huge, _ := new(big.Int).SetString("-1180591620717411303424", 10) // -2^70
	for _, n := range []*big.Int{huge, big.NewInt(0), big.NewInt(-5), new(big.Int).Lsh(big.NewInt(1), 64)} {
		b, err := EncodeValue(n)
		if err != nil {
			t.Fatal(err)
		}
		if b[0] != 0xc7 && b[0] != 0xd4 && b[0] != 0xd5 && b[0] != 0xd6 && b[0] != 0xd7 && b[0] != 0xd8 || CheckJSSafe(b) != nil {
			t.Errorf("%v encodes as % x, want an extension that crosses to JavaScript", n, b)
		}
		var z *big.Int
		var a any
		if err := DecodeValue(b, &z); err != nil || z.Cmp(n) != 0 {
			t.Errorf("%v into *big.Int: %v, %v", n, z, err)
		}
		if err := DecodeValue(b, &a); err != nil || a.(*big.Int).Cmp(n) != 0 {
			t.Errorf("%v into any: %v, %v", n, a, err)
		}
	}
	// A bigint that fits arrives as a 64-bit integer, a number as itself.
	for _, v := range []any{int64(-7), uint64(1 << 63), 3.0, 42} {
		b, _ := EncodeValue(v)
		var z *big.Int
		if err := DecodeValue(b, &z); err != nil || z.String() != big.NewFloat(toFloat(v)).Text('f', 0) {
			t.Errorf("%v (% x) into *big.Int: %v, %v", v, b, z, err)
		}
	}
	for _, v := range []any{1.5, "12", true} {
		b, _ := EncodeValue(v)
		var z *big.Int
		if err := DecodeValue(b, &z); err == nil {
			t.Errorf("%#v into *big.Int: %v, want an error", v, z)
		}
	}
	// One beyond 64 bits does not fit an int64.
	b, _ := EncodeValue(huge)
	var i int64
	if err := DecodeValue(b, &i); err == nil {
		t.Errorf("-2^70 into int64: %d, want an error", i)
	}
}

func toFloat(v any) float64 {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case uint64:
		return float64(v)
	case float64:
		return v
	case int:
		return float64(v)
	}
	panic(v)
}
