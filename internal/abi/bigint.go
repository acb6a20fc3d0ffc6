package abi

import (
	"fmt"
	"math"
	"math/big"
	"reflect"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// ExtBigInt is the MessagePack extension type of a JavaScript bigint that
// a 64-bit integer cannot hold, and of every *big.Int: its data is the
// integer's decimal digits, with a leading '-' if negative. (A bigint that
// fits crosses as a 64-bit integer, as the shim's encoder writes it with
// useBigInt64.)
const ExtBigInt int8 = 1

func init() {
	msgpack.RegisterExtEncoder(ExtBigInt, (*big.Int)(nil), func(_ *msgpack.Encoder, v reflect.Value) ([]byte, error) {
		n := v.Interface().(*big.Int)
		if n == nil {
			return nil, fmt.Errorf("a nil *big.Int has no value")
		}
		return n.Append(nil, 10), nil
	})
	// Decoding into an interface: ExtBigInt gives a *big.Int.
	msgpack.RegisterExtDecoder(ExtBigInt, (*big.Int)(nil), func(dec *msgpack.Decoder, v reflect.Value, n int) error {
		z, err := bigIntDigits(dec, n)
		if err == nil {
			v.Set(reflect.ValueOf(z))
		}
		return err
	})
	// Decoding into a *big.Int: any integer.
	msgpack.Register((*big.Int)(nil), nil, func(dec *msgpack.Decoder, v reflect.Value) error {
		z, err := decodeBigInt(dec)
		if err != nil {
			return fmt.Errorf("decoding a *big.Int: %w", err)
		}
		if z == nil {
			v.Set(reflect.Zero(v.Type()))
			return nil
		}
		v.Set(reflect.ValueOf(z))
		return nil
	})
}

func bigIntDigits(dec *msgpack.Decoder, n int) (*big.Int, error) {
	b := make([]byte, n)
	if err := dec.ReadFull(b); err != nil {
		return nil, err
	}
	z, ok := new(big.Int).SetString(string(b), 10)
	if !ok {
		return nil, fmt.Errorf("a bigint extension of %q, not decimal digits", b)
	}
	return z, nil
}

// decodeBigInt decodes an integer of any form into a *big.Int: a 64-bit
// integer (a bigint that fits, or a number), an integral float64 (a
// JavaScript number), or ExtBigInt.
func decodeBigInt(dec *msgpack.Decoder) (*big.Int, error) {
	c, err := dec.PeekCode()
	if err != nil {
		return nil, err
	}
	switch {
	case c == msgpcode.Nil:
		return nil, dec.DecodeNil()
	case c == msgpcode.Uint64:
		u, err := dec.DecodeUint64()
		return new(big.Int).SetUint64(u), err
	case msgpcode.IsExt(c):
		id, n, err := dec.DecodeExtHeader()
		if err != nil {
			return nil, err
		}
		if id != ExtBigInt {
			return nil, fmt.Errorf("an extension of type %d, not a bigint", id)
		}
		return bigIntDigits(dec, n)
	case c == msgpcode.Double || c == msgpcode.Float:
		f, err := dec.DecodeFloat64()
		if err != nil {
			return nil, err
		}
		if f != math.Trunc(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%v is not an integer", f)
		}
		z, _ := big.NewFloat(f).Int(nil)
		return z, nil
	}
	i, err := dec.DecodeInt64()
	return big.NewInt(i), err
}
