package httpx

import "errors"

func errorsAs[T any](err error, target *T) bool { return errors.As(err, target) }

func isErr(err, target error) bool { return errors.Is(err, target) }
