;; Where a JSON object or array closes, 64 bytes at a time (WebAssembly SIMD).
;;
;; The prefilter's cut (candidates.ts) walks a file's structure from its start to its last hit;
;; inside a record it only needs the bracket that closes the record. Byte by byte in JavaScript
;; that costs more than the gunzip. Here each 64-byte block becomes bit masks (quotes,
;; backslashes, opening and closing brackets); the backslash-escaped characters and the bytes
;; inside strings follow from the masks by the method of simdjson's stage 1 (Langdale and Lemire,
;; "Parsing gigabytes of JSON per second", 2019): the escaped character after every odd run of
;; backslashes by one subtraction, the inside of strings by a prefix XOR of the unescaped quotes.
;; Only the brackets outside strings count; a block whose closing brackets cannot bring the depth
;; to zero is counted whole.
;;
;; Built into structure-wasm.ts by scripts/build-wasm.ts (wabt); a test checks that they agree.
(module
  (memory (export "memory") 1)

  ;; The 64-bit mask of the bytes of four vectors equal to `c` (one bit per byte, in order).
  (func $eq (param $v0 v128) (param $v1 v128) (param $v2 v128) (param $v3 v128) (param $c v128) (result i64)
    (i64.or
      (i64.or
        (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v0) (local.get $c))))
        (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v1) (local.get $c)))) (i64.const 16)))
      (i64.or
        (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v2) (local.get $c)))) (i64.const 32))
        (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v3) (local.get $c)))) (i64.const 48)))))

  ;; close(start, end): the index of the bracket that closes the one at `start` (`{` or `[`, outside
  ;; any string), reading bytes [start, end). Bracket kinds are not matched, only counted.
  ;; -1: `end` falls inside a string; -2: `end` falls inside the value (truncated);
  ;; -3: a backslash outside every string (not JSON: the caller walks it byte by byte).
  ;; The 64 bytes after `end` must be in memory (they are masked off, never counted).
  (func (export "close") (param $start i32) (param $end i32) (result i32)
    (local $p i32) (local $n i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $valid i64) (local $quote i64) (local $bs i64) (local $open i64) (local $close i64)
    (local $escaped i64) (local $nextEscaped i64) (local $code i64) (local $potential i64)
    (local $x i64) (local $inString i64) (local $prevInString i64)
    (local $depth i64) (local $bits i64) (local $bit i64)
    (local.set $p (local.get $start))
    (block $end
      (loop $block
        (local.set $n (i32.sub (local.get $end) (local.get $p)))
        (br_if $end (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $valid
          (if (result i64) (i32.ge_u (local.get $n) (i32.const 64))
            (then (i64.const -1))
            (else (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (local.get $n))) (i64.const 1)))))
        (local.set $v0 (v128.load offset=0 (local.get $p)))
        (local.set $v1 (v128.load offset=16 (local.get $p)))
        (local.set $v2 (v128.load offset=32 (local.get $p)))
        (local.set $v3 (v128.load offset=48 (local.get $p)))
        ;; '"' = 34, '\' = 92; with bit 0x20 set, '[' and '{' are both 123, ']' and '}' both 125.
        (local.set $quote (i64.and (local.get $valid)
          (call $eq (local.get $v0) (local.get $v1) (local.get $v2) (local.get $v3)
            (v128.const i8x16 34 34 34 34 34 34 34 34 34 34 34 34 34 34 34 34))))
        (local.set $bs (i64.and (local.get $valid)
          (call $eq (local.get $v0) (local.get $v1) (local.get $v2) (local.get $v3)
            (v128.const i8x16 92 92 92 92 92 92 92 92 92 92 92 92 92 92 92 92))))
        (local.set $v0 (v128.or (local.get $v0) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32)))
        (local.set $v1 (v128.or (local.get $v1) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32)))
        (local.set $v2 (v128.or (local.get $v2) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32)))
        (local.set $v3 (v128.or (local.get $v3) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32)))
        (local.set $open (i64.and (local.get $valid)
          (call $eq (local.get $v0) (local.get $v1) (local.get $v2) (local.get $v3)
            (v128.const i8x16 123 123 123 123 123 123 123 123 123 123 123 123 123 123 123 123))))
        (local.set $close (i64.and (local.get $valid)
          (call $eq (local.get $v0) (local.get $v1) (local.get $v2) (local.get $v3)
            (v128.const i8x16 125 125 125 125 125 125 125 125 125 125 125 125 125 125 125 125))))
        ;; The characters escaped by a backslash: after each odd-length run of backslashes (a run
        ;; may go on from the previous block: `nextEscaped` is its first byte's carry).
        (if (i64.eqz (local.get $bs))
          (then
            (local.set $escaped (local.get $nextEscaped))
            (local.set $nextEscaped (i64.const 0)))
          (else
            (local.set $potential (i64.and (local.get $bs) (i64.xor (local.get $nextEscaped) (i64.const -1))))
            ;; 0xAAAA... marks the odd bits.
            (local.set $code
              (i64.xor
                (i64.sub
                  (i64.or (i64.shl (local.get $potential) (i64.const 1)) (i64.const 0xAAAAAAAAAAAAAAAA))
                  (local.get $potential))
                (i64.const 0xAAAAAAAAAAAAAAAA)))
            (local.set $escaped (i64.xor (local.get $code) (i64.or (local.get $bs) (local.get $nextEscaped))))
            (local.set $nextEscaped (i64.shr_u (i64.and (local.get $code) (local.get $bs)) (i64.const 63)))))
        ;; Inside strings: the prefix XOR of the unescaped quotes (an opening quote counts as inside,
        ;; a closing one as outside), carried over from the previous block.
        (local.set $x (i64.and (local.get $quote) (i64.xor (local.get $escaped) (i64.const -1))))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 1))))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 2))))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 4))))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 8))))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 16))))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 32))))
        (local.set $inString (i64.xor (local.get $x) (local.get $prevInString)))
        (local.set $prevInString (i64.shr_s (local.get $inString) (i64.const 63)))
        ;; A backslash outside strings: the escapes above do not hold there.
        (if (i64.ne (i64.and (local.get $bs) (i64.xor (local.get $inString) (i64.const -1))) (i64.const 0))
          (then (return (i32.const -3))))
        (local.set $open (i64.and (local.get $open) (i64.xor (local.get $inString) (i64.const -1))))
        (local.set $close (i64.and (local.get $close) (i64.xor (local.get $inString) (i64.const -1))))
        (if (i64.lt_u (i64.popcnt (local.get $close)) (local.get $depth))
          (then
            ;; Even with every closing bracket first the depth stays above zero: count the block.
            (local.set $depth
              (i64.sub (i64.add (local.get $depth) (i64.popcnt (local.get $open))) (i64.popcnt (local.get $close)))))
          (else
            ;; Bracket by bracket, in order.
            (local.set $bits (i64.or (local.get $open) (local.get $close)))
            (block $counted
              (loop $bracket
                (br_if $counted (i64.eqz (local.get $bits)))
                (local.set $bit (i64.and (local.get $bits) (i64.sub (i64.const 0) (local.get $bits))))
                (local.set $bits (i64.xor (local.get $bits) (local.get $bit)))
                (if (i64.eqz (i64.and (local.get $open) (local.get $bit)))
                  (then
                    (local.set $depth (i64.sub (local.get $depth) (i64.const 1)))
                    (if (i64.eqz (local.get $depth))
                      (then (return (i32.add (local.get $p) (i32.wrap_i64 (i64.ctz (local.get $bit))))))))
                  (else (local.set $depth (i64.add (local.get $depth) (i64.const 1)))))
                (br $bracket)))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $block)))
    (if (result i32) (i64.eqz (local.get $prevInString)) (then (i32.const -2)) (else (i32.const -1)))))
