;; SIMD kernels of the analysis (engine/analysis/kernels.ts loads them; scripts/build-kernels.mjs
;; assembles this file into kernelsWasm.ts). Every sum runs in the same order as the JavaScript
;; it replaces (chromaNet.ts's layer forward, chroma.ts's note fit, framing and gate,
;; realFft.ts's transform, spectrum.ts's framing and filterbank, onset.ts's pitch novelty), two
;; lanes of f64 at a time (four of f32 for the net) with a separate multiply and add (WebAssembly
;; never fuses them), so the results are bit-identical to the JavaScript path. Pointers are byte
;; offsets into the imported memory.
(module
  (import "env" "memory" (memory 1))

  ;; The learned chroma's layers, in f32 (the net's weights are f32; four lanes at a time).
  ;; y[o] = bias[o] + Σ_t vals[t] · cols[offs[t] + o], t ascending, for o < outputs (f32: each
  ;; product and each sum rounded to f32, as chromaNet.ts's Math.fround path does). offs[t] (i32)
  ;; is the byte offset of term t's column from `cols`. The outputs are taken 32 at a time in eight
  ;; four-lane accumulators that stay in registers while every term is added, then 4 at a time,
  ;; then one at a time.
  (func (export "gemv")
    (param $cols i32) (param $outputs i32) (param $bias i32) (param $offs i32) (param $vals i32) (param $m i32) (param $y i32)
    (local $o i32) (local $t i32) (local $c i32) (local $v v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $s f32)
    (block $done32
      (loop $block32
        (br_if $done32 (i32.gt_u (i32.add (local.get $o) (i32.const 32)) (local.get $outputs)))
        (local.set $c (i32.add (local.get $bias) (i32.shl (local.get $o) (i32.const 2))))
        (local.set $a0 (v128.load offset=0 (local.get $c)))
        (local.set $a1 (v128.load offset=16 (local.get $c)))
        (local.set $a2 (v128.load offset=32 (local.get $c)))
        (local.set $a3 (v128.load offset=48 (local.get $c)))
        (local.set $a4 (v128.load offset=64 (local.get $c)))
        (local.set $a5 (v128.load offset=80 (local.get $c)))
        (local.set $a6 (v128.load offset=96 (local.get $c)))
        (local.set $a7 (v128.load offset=112 (local.get $c)))
        (local.set $t (i32.const 0))
        (block $doneT
          (loop $terms
            (br_if $doneT (i32.ge_u (local.get $t) (local.get $m)))
            (local.set $v (f32x4.splat (f32.load (i32.add (local.get $vals) (i32.shl (local.get $t) (i32.const 2))))))
            (local.set $c (i32.add
              (i32.add (local.get $cols) (i32.load (i32.add (local.get $offs) (i32.shl (local.get $t) (i32.const 2)))))
              (i32.shl (local.get $o) (i32.const 2))))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load offset=0 (local.get $c)) (local.get $v))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 (local.get $c)) (local.get $v))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load offset=32 (local.get $c)) (local.get $v))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load offset=48 (local.get $c)) (local.get $v))))
            (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (v128.load offset=64 (local.get $c)) (local.get $v))))
            (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (v128.load offset=80 (local.get $c)) (local.get $v))))
            (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (v128.load offset=96 (local.get $c)) (local.get $v))))
            (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (v128.load offset=112 (local.get $c)) (local.get $v))))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $terms)))
        (local.set $c (i32.add (local.get $y) (i32.shl (local.get $o) (i32.const 2))))
        (v128.store offset=0 (local.get $c) (local.get $a0))
        (v128.store offset=16 (local.get $c) (local.get $a1))
        (v128.store offset=32 (local.get $c) (local.get $a2))
        (v128.store offset=48 (local.get $c) (local.get $a3))
        (v128.store offset=64 (local.get $c) (local.get $a4))
        (v128.store offset=80 (local.get $c) (local.get $a5))
        (v128.store offset=96 (local.get $c) (local.get $a6))
        (v128.store offset=112 (local.get $c) (local.get $a7))
        (local.set $o (i32.add (local.get $o) (i32.const 32)))
        (br $block32)))
    ;; Four at a time.
    (block $done4
      (loop $block4
        (br_if $done4 (i32.gt_u (i32.add (local.get $o) (i32.const 4)) (local.get $outputs)))
        (local.set $a0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $o) (i32.const 2)))))
        (local.set $t (i32.const 0))
        (block $doneT4
          (loop $terms4
            (br_if $doneT4 (i32.ge_u (local.get $t) (local.get $m)))
            (local.set $v (f32x4.splat (f32.load (i32.add (local.get $vals) (i32.shl (local.get $t) (i32.const 2))))))
            (local.set $c (i32.add
              (i32.add (local.get $cols) (i32.load (i32.add (local.get $offs) (i32.shl (local.get $t) (i32.const 2)))))
              (i32.shl (local.get $o) (i32.const 2))))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $c)) (local.get $v))))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $terms4)))
        (v128.store (i32.add (local.get $y) (i32.shl (local.get $o) (i32.const 2))) (local.get $a0))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $block4)))
    ;; The last one to three.
    (block $done1
      (loop $block1
        (br_if $done1 (i32.ge_u (local.get $o) (local.get $outputs)))
        (local.set $s (f32.load (i32.add (local.get $bias) (i32.shl (local.get $o) (i32.const 2)))))
        (local.set $t (i32.const 0))
        (block $doneT1
          (loop $terms1
            (br_if $doneT1 (i32.ge_u (local.get $t) (local.get $m)))
            (local.set $s (f32.add (local.get $s) (f32.mul
              (f32.load (i32.add
                (i32.add (local.get $cols) (i32.load (i32.add (local.get $offs) (i32.shl (local.get $t) (i32.const 2)))))
                (i32.shl (local.get $o) (i32.const 2))))
              (f32.load (i32.add (local.get $vals) (i32.shl (local.get $t) (i32.const 2)))))))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $terms1)))
        (f32.store (i32.add (local.get $y) (i32.shl (local.get $o) (i32.const 2))) (local.get $s))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $block1))))

  ;; The terms of a hidden layer's input for `gemv`: after ReLU (x < 0 is 0), every nonzero x[i]
  ;; (i < n, f32) with its column's byte offset i · rowBytes. Returns the number of terms.
  (func (export "reluTerms") (param $x i32) (param $n i32) (param $rowBytes i32) (param $offs i32) (param $vals i32) (result i32)
    (local $i i32) (local $m i32) (local $v f32)
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.and (f32.ne (local.get $v) (f32.const 0)) (i32.eqz (f32.lt (local.get $v) (f32.const 0))))
          (then
            (i32.store (i32.add (local.get $offs) (i32.shl (local.get $m) (i32.const 2))) (i32.mul (local.get $i) (local.get $rowBytes)))
            (f32.store (i32.add (local.get $vals) (i32.shl (local.get $m) (i32.const 2))) (local.get $v))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (local.get $m))

  ;; The terms of the shared net's first layer for one pitch class: each of the frame's `count`
  ;; nonzero inputs (index nzIdx[t], value nzVal[t], f32) that lies in the class's window
  ;; (positions[idx] ≥ 0, `positions` pointing at the class's row) with its column's byte offset.
  ;; Returns their number.
  (func (export "windowTerms") (param $positions i32) (param $nzIdx i32) (param $nzVal i32) (param $count i32) (param $rowBytes i32) (param $offs i32) (param $vals i32) (result i32)
    (local $t i32) (local $m i32) (local $j i32)
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $t) (local.get $count)))
        (local.set $j (i32.load (i32.add (local.get $positions)
          (i32.shl (i32.load (i32.add (local.get $nzIdx) (i32.shl (local.get $t) (i32.const 2)))) (i32.const 2)))))
        (if (i32.ge_s (local.get $j) (i32.const 0))
          (then
            (i32.store (i32.add (local.get $offs) (i32.shl (local.get $m) (i32.const 2))) (i32.mul (local.get $j) (local.get $rowBytes)))
            (f32.store (i32.add (local.get $vals) (i32.shl (local.get $m) (i32.const 2)))
              (f32.load (i32.add (local.get $nzVal) (i32.shl (local.get $t) (i32.const 2)))))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $each)))
    (local.get $m))

  ;; y[i] += v · x[i] for i < n (f64): chromaNet.ts's addScaled.
  (func $axpy (export "axpy") (param $y i32) (param $x i32) (param $v f64) (param $n i32)
    (local $i i32) (local $vv v128) (local $p i32) (local $q i32)
    (local.set $vv (f64x2.splat (local.get $v)))
    (block $done2
      (loop $pairs
        (br_if $done2 (i32.gt_u (i32.add (local.get $i) (i32.const 2)) (local.get $n)))
        (local.set $p (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $q (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3))))
        (v128.store (local.get $p) (f64x2.add (v128.load (local.get $p)) (f64x2.mul (v128.load (local.get $q)) (local.get $vv))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    (if (i32.lt_u (local.get $i) (local.get $n))
      (then
        (local.set $p (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3))))
        (f64.store (local.get $p) (f64.add (f64.load (local.get $p))
          (f64.mul (f64.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3)))) (local.get $v)))))))

  ;; `sweeps` rounds of chroma.ts's coordinate descent on the non-negative fit: for each a < n,
  ;; x[a] moves to min(cap[a], max(0, x[a] − grad[a] / G[a][a])) and grad gets the change × row a
  ;; of the Gram matrix G (n × n, row-major). Skipped: G[a][a] ≤ 0, or cap and x both 0.
  (func (export "sweeps") (param $gram i32) (param $n i32) (param $x i32) (param $grad i32) (param $cap i32) (param $count i32)
    (local $s i32) (local $a i32) (local $row i32) (local $gaa f64) (local $xa f64) (local $ca f64) (local $next f64) (local $d f64)
    (local $pa i32)
    (block $doneS
      (loop $sweep
        (br_if $doneS (i32.ge_u (local.get $s) (local.get $count)))
        (local.set $a (i32.const 0))
        (block $doneA
          (loop $coord
            (br_if $doneA (i32.ge_u (local.get $a) (local.get $n)))
            (local.set $row (i32.add (local.get $gram) (i32.shl (i32.mul (local.get $a) (local.get $n)) (i32.const 3))))
            (local.set $gaa (f64.load (i32.add (local.get $row) (i32.shl (local.get $a) (i32.const 3)))))
            (local.set $pa (i32.shl (local.get $a) (i32.const 3)))
            (local.set $xa (f64.load (i32.add (local.get $x) (local.get $pa))))
            (local.set $ca (f64.load (i32.add (local.get $cap) (local.get $pa))))
            (if (i32.eqz (i32.or (f64.le (local.get $gaa) (f64.const 0))
                                 (i32.and (f64.eq (local.get $ca) (f64.const 0)) (f64.eq (local.get $xa) (f64.const 0)))))
              (then
                (local.set $next (f64.min (local.get $ca) (f64.max (f64.const 0)
                  (f64.sub (local.get $xa) (f64.div (f64.load (i32.add (local.get $grad) (local.get $pa))) (local.get $gaa))))))
                (local.set $d (f64.sub (local.get $next) (local.get $xa)))
                (if (f64.ne (local.get $d) (f64.const 0))
                  (then
                    (f64.store (i32.add (local.get $x) (local.get $pa)) (local.get $next))
                    (call $axpy (local.get $grad) (local.get $row) (local.get $d) (local.get $n))))))
            (local.set $a (i32.add (local.get $a) (i32.const 1)))
            (br $coord)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $sweep))))

  ;; out[n] = ring[(pos + n) mod len] · window[n] for n < len (f64): a window over a ring whose
  ;; oldest sample is at pos, in two runs (spectrum.ts's and chroma.ts's framing).
  (func (export "windowRing") (param $ring i32) (param $len i32) (param $pos i32) (param $window i32) (param $out i32)
    (local $split i32)
    (local.set $split (i32.shl (i32.sub (local.get $len) (local.get $pos)) (i32.const 3)))
    (call $mulRun (i32.add (local.get $ring) (i32.shl (local.get $pos) (i32.const 3))) (local.get $window) (local.get $out) (local.get $split))
    (call $mulRun (local.get $ring) (i32.add (local.get $window) (local.get $split)) (i32.add (local.get $out) (local.get $split))
      (i32.shl (local.get $pos) (i32.const 3))))

  ;; out[i] = a[i] · b[i] over `bytes` bytes of f64, two at a time.
  (func $mulRun (param $a i32) (param $b i32) (param $out i32) (param $bytes i32)
    (local $i i32)
    (block $done
      (loop $pairs
        (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $bytes)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f64x2.mul (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $pairs)))
    (if (i32.lt_u (local.get $i) (local.get $bytes))
      (then
        (f64.store (i32.add (local.get $out) (local.get $i))
          (f64.mul (f64.load (i32.add (local.get $a) (local.get $i))) (f64.load (i32.add (local.get $b) (local.get $i))))))))

  ;; out[n] = ring[(start + n) & mask] · window[n] for n < count, the ring f32 (mask + 1 long, a
  ;; power of two), the window and out f64: chroma.ts's framing of a decimated ring, in two runs.
  (func (export "windowRing32") (param $ring i32) (param $mask i32) (param $start i32) (param $window i32) (param $count i32) (param $out i32)
    (local $first i32)
    (local.set $first (i32.sub (i32.add (local.get $mask) (i32.const 1)) (local.get $start)))
    (if (i32.gt_u (local.get $first) (local.get $count)) (then (local.set $first (local.get $count))))
    (call $mulRun32 (i32.add (local.get $ring) (i32.shl (local.get $start) (i32.const 2))) (local.get $window) (local.get $out) (local.get $first))
    (call $mulRun32 (local.get $ring)
      (i32.add (local.get $window) (i32.shl (local.get $first) (i32.const 3)))
      (i32.add (local.get $out) (i32.shl (local.get $first) (i32.const 3)))
      (i32.sub (local.get $count) (local.get $first))))

  ;; out[i] = f64(a[i]) · b[i] for i < n, a f32, b and out f64, two at a time.
  (func $mulRun32 (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (local $i i32)
    (block $done
      (loop $pairs
        (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 2)) (local.get $n)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
          (f64x2.mul
            (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2)))))
            (v128.load (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    (if (i32.lt_u (local.get $i) (local.get $n))
      (then
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
          (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2)))))
            (f64.load (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 3)))))))))

  ;; The chroma gate's weighted moments of a ring (f32, mask + 1 long) from start, n = 0..count − 1
  ;; ascending, weights f64: out[0] = Σ w[n]·x, out[1] = Σ (w[n]·x)·x, x = ring[(start + n) & mask].
  (func (export "ringMoments") (param $ring i32) (param $mask i32) (param $start i32) (param $w i32) (param $count i32) (param $out i32)
    (local $n i32) (local $x f64) (local $wx f64) (local $sx f64) (local $sxx f64)
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $n) (local.get $count)))
        (local.set $x (f64.promote_f32 (f32.load (i32.add (local.get $ring)
          (i32.shl (i32.and (i32.add (local.get $start) (local.get $n)) (local.get $mask)) (i32.const 2))))))
        (local.set $wx (f64.mul (f64.load (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 3)))) (local.get $x)))
        (local.set $sx (f64.add (local.get $sx) (local.get $wx)))
        (local.set $sxx (f64.add (local.get $sxx) (f64.mul (local.get $wx) (local.get $x))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $each)))
    (f64.store (local.get $out) (local.get $sx))
    (f64.store offset=8 (local.get $out) (local.get $sxx)))

  ;; onset.ts's pitch novelty of one frame, in its order: note n's salience from its partials
  ;; (entries start[n] .. start[n+1] − 1 of band index and weight, i32 and f64) in `bands` (f64),
  ;; into row `row` of the salience ring `sal` (rows × notes, f64) as the mean with the previous
  ;; frame's (`raw`, then overwritten); unless `ready` is 0, returns Σ max(0, salience − max over
  ;; the other rows − floor) (the max two notes at a time, as JavaScript's `if (x > m) m = x`).
  (func (export "pitchNovelty") (param $bands i32) (param $start i32) (param $partials i32) (param $weights i32) (param $notes i32)
    (param $raw i32) (param $sal i32) (param $rows i32) (param $row i32) (param $past i32) (param $ready i32) (param $floor f64) (result f64)
    (local $n i32) (local $i i32) (local $end i32) (local $acc f64) (local $cur i32) (local $r i32) (local $p i32) (local $q i32)
    (local $rowBytes i32) (local $d f64) (local $sum f64)
    (local.set $rowBytes (i32.shl (local.get $notes) (i32.const 3)))
    (local.set $cur (i32.add (local.get $sal) (i32.mul (local.get $row) (local.get $rowBytes))))
    (block $doneNotes
      (loop $note
        (br_if $doneNotes (i32.ge_u (local.get $n) (local.get $notes)))
        (local.set $i (i32.load (i32.add (local.get $start) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $start) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $acc (f64.const 0))
        (block $doneParts
          (loop $part
            (br_if $doneParts (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $acc (f64.add (local.get $acc)
              (f64.mul (f64.load (i32.add (local.get $weights) (i32.shl (local.get $i) (i32.const 3))))
                (f64.load (i32.add (local.get $bands) (i32.shl (i32.load (i32.add (local.get $partials) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 3)))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $part)))
        (local.set $p (i32.add (local.get $raw) (i32.shl (local.get $n) (i32.const 3))))
        (f64.store (i32.add (local.get $cur) (i32.shl (local.get $n) (i32.const 3)))
          (f64.mul (f64.const 0.5) (f64.add (local.get $acc) (f64.load (local.get $p)))))
        (f64.store (local.get $p) (local.get $acc))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $note)))
    (if (i32.eqz (local.get $ready)) (then (return (f64.const 0))))
    ;; past = 0, then the maximum over every other row
    (local.set $n (i32.const 0))
    (block $doneZero
      (loop $zero
        (br_if $doneZero (i32.ge_u (local.get $n) (local.get $rowBytes)))
        (f64.store (i32.add (local.get $past) (local.get $n)) (f64.const 0))
        (local.set $n (i32.add (local.get $n) (i32.const 8)))
        (br $zero)))
    (block $doneRows
      (loop $rowLoop
        (br_if $doneRows (i32.ge_u (local.get $r) (local.get $rows)))
        (if (i32.ne (local.get $r) (local.get $row))
          (then
            (local.set $q (i32.add (local.get $sal) (i32.mul (local.get $r) (local.get $rowBytes))))
            (local.set $n (i32.const 0))
            (block $donePairs
              (loop $pairs
                (br_if $donePairs (i32.gt_u (i32.add (local.get $n) (i32.const 16)) (local.get $rowBytes)))
                (local.set $p (i32.add (local.get $past) (local.get $n)))
                (v128.store (local.get $p) (f64x2.pmax (v128.load (local.get $p)) (v128.load (i32.add (local.get $q) (local.get $n)))))
                (local.set $n (i32.add (local.get $n) (i32.const 16)))
                (br $pairs)))
            (if (i32.lt_u (local.get $n) (local.get $rowBytes))
              (then
                (local.set $p (i32.add (local.get $past) (local.get $n)))
                (local.set $d (f64.load (i32.add (local.get $q) (local.get $n))))
                (if (f64.gt (local.get $d) (f64.load (local.get $p))) (then (f64.store (local.get $p) (local.get $d))))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop)))
    (local.set $n (i32.const 0))
    (block $doneSum
      (loop $sumLoop
        (br_if $doneSum (i32.ge_u (local.get $n) (local.get $rowBytes)))
        (local.set $d (f64.sub (f64.sub (f64.load (i32.add (local.get $cur) (local.get $n))) (f64.load (i32.add (local.get $past) (local.get $n)))) (local.get $floor)))
        (if (f64.gt (local.get $d) (f64.const 0)) (then (local.set $sum (f64.add (local.get $sum) (local.get $d)))))
        (local.set $n (i32.add (local.get $n) (i32.const 8)))
        (br $sumLoop)))
    (local.get $sum))

  ;; The filterbank (spectrum.ts): out[b] = Σ weights[wo[b] + k − start[b]] · mag[k] over
  ;; k = start[b] .. end[b] − 1 ascending, for b < count (f64; start, end, wo i32).
  (func (export "bandSums") (param $mag i32) (param $start i32) (param $end i32) (param $wo i32) (param $weights i32) (param $count i32) (param $out i32)
    (local $b i32) (local $p i32) (local $k i32) (local $e i32) (local $w i32) (local $acc f64)
    (block $done
      (loop $band
        (br_if $done (i32.ge_u (local.get $b) (local.get $count)))
        (local.set $p (i32.shl (local.get $b) (i32.const 2)))
        (local.set $k (i32.add (local.get $mag) (i32.shl (i32.load (i32.add (local.get $start) (local.get $p))) (i32.const 3))))
        (local.set $e (i32.add (local.get $mag) (i32.shl (i32.load (i32.add (local.get $end) (local.get $p))) (i32.const 3))))
        (local.set $w (i32.add (local.get $weights) (i32.shl (i32.load (i32.add (local.get $wo) (local.get $p))) (i32.const 3))))
        (local.set $acc (f64.const 0))
        (block $doneBins
          (loop $bin
            (br_if $doneBins (i32.ge_u (local.get $k) (local.get $e)))
            (local.set $acc (f64.add (local.get $acc) (f64.mul (f64.load (local.get $w)) (f64.load (local.get $k)))))
            (local.set $k (i32.add (local.get $k) (i32.const 8)))
            (local.set $w (i32.add (local.get $w) (i32.const 8)))
            (br $bin)))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $b) (i32.const 3))) (local.get $acc))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $band))))

  ;; Magnitudes of the real DFT of in[0..2m) (f64), |X_k| · scale for k = 0..m, into mag, through a
  ;; complex FFT of size m (a power of two) on z_j = in[2j] + i·in[2j+1]. realFft.ts builds the
  ;; tables and runs the same arithmetic in JavaScript where this module cannot run:
  ;;   rev: bit-reversed index of each j < m (i32);
  ;;   tw: radix-2 twiddles, stage of half-size h at entry h − 1, entry h − 1 + j = e^(−2πij/2h)
  ;;       as two pairs (re, re) and (−im, im), so b·w = b·(re, re) + swap(b)·(−im, im);
  ;;   post: e^(−2πik/2m) for k = 0..m, the same two pairs; z: scratch (m complex).
  ;; X_k = ½(Z_k + conj Z_(m−k)) + e^(−2πik/2m) · (−i/2)(Z_k − conj Z_(m−k)), indices mod m.
  (func (export "rfftMag") (param $in i32) (param $m i32) (param $rev i32) (param $tw i32) (param $post i32) (param $z i32) (param $mag i32) (param $scale f64)
    (local $j i32) (local $h i32) (local $g i32) (local $pa i32) (local $pb i32) (local $pw i32) (local $end i32)
    (local $a v128) (local $b v128) (local $t v128) (local $e v128) (local $x v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $pv i32) (local $q i32)
    ;; The first two stages (h = 1, 2), fused, read the input in bit-reversed order; below m = 4, a plain copy in that order.
    (if (i32.ge_u (local.get $m) (i32.const 4))
      (then
        (block $doneFirst
          (loop $first
            (br_if $doneFirst (i32.ge_u (local.get $j) (local.get $m)))
            (local.set $pa (i32.add (local.get $rev) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $b (v128.load (i32.add (local.get $in) (i32.shl (i32.load offset=4 (local.get $pa)) (i32.const 4)))))
            (local.set $t (f64x2.add
              (f64x2.mul (local.get $b) (v128.load (local.get $tw)))
              (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $b) (local.get $b)) (v128.load offset=16 (local.get $tw)))))
            (local.set $a (v128.load (i32.add (local.get $in) (i32.shl (i32.load (local.get $pa)) (i32.const 4)))))
            (local.set $a0 (f64x2.add (local.get $a) (local.get $t)))
            (local.set $a1 (f64x2.sub (local.get $a) (local.get $t)))
            (local.set $b (v128.load (i32.add (local.get $in) (i32.shl (i32.load offset=12 (local.get $pa)) (i32.const 4)))))
            (local.set $t (f64x2.add
              (f64x2.mul (local.get $b) (v128.load (local.get $tw)))
              (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $b) (local.get $b)) (v128.load offset=16 (local.get $tw)))))
            (local.set $a (v128.load (i32.add (local.get $in) (i32.shl (i32.load offset=8 (local.get $pa)) (i32.const 4)))))
            (local.set $a2 (f64x2.add (local.get $a) (local.get $t)))
            (local.set $a3 (f64x2.sub (local.get $a) (local.get $t)))
            (local.set $pa (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 4))))
            (local.set $t (f64x2.add
              (f64x2.mul (local.get $a2) (v128.load offset=32 (local.get $tw)))
              (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a2) (local.get $a2)) (v128.load offset=48 (local.get $tw)))))
            (v128.store offset=0 (local.get $pa) (f64x2.add (local.get $a0) (local.get $t)))
            (v128.store offset=32 (local.get $pa) (f64x2.sub (local.get $a0) (local.get $t)))
            (local.set $t (f64x2.add
              (f64x2.mul (local.get $a3) (v128.load offset=64 (local.get $tw)))
              (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a3) (local.get $a3)) (v128.load offset=80 (local.get $tw)))))
            (v128.store offset=16 (local.get $pa) (f64x2.add (local.get $a1) (local.get $t)))
            (v128.store offset=48 (local.get $pa) (f64x2.sub (local.get $a1) (local.get $t)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $first)))
        (local.set $h (i32.const 4)))
      (else
        (block $doneLoad
          (loop $load
            (br_if $doneLoad (i32.ge_u (local.get $j) (local.get $m)))
            (v128.store (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 4)))
              (v128.load (i32.add (local.get $in)
                (i32.shl (i32.load (i32.add (local.get $rev) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 4)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $load)))
        (local.set $h (i32.const 1))))
    ;; Radix-2 stages of half-size h = 1, 2, 4, ..., two at a time (h and 2h fused over the same
    ;; four points: the same operations as one stage after the other, half the loads and stores),
    ;; then a last single stage when log2 m is odd.
    (block $doneStages
      (loop $stage
        (br_if $doneStages (i32.gt_u (i32.shl (local.get $h) (i32.const 2)) (local.get $m)))
        (local.set $g (i32.const 0))
        (block $doneGroups
          (loop $group
            (br_if $doneGroups (i32.ge_u (local.get $g) (local.get $m)))
            (local.set $pa (i32.add (local.get $z) (i32.shl (local.get $g) (i32.const 4))))
            (local.set $end (i32.add (local.get $pa) (i32.shl (local.get $h) (i32.const 4))))
            (local.set $pw (i32.add (local.get $tw) (i32.shl (i32.sub (local.get $h) (i32.const 1)) (i32.const 5))))
            (local.set $pv (i32.add (local.get $tw) (i32.shl (i32.sub (i32.shl (local.get $h) (i32.const 1)) (i32.const 1)) (i32.const 5))))
            (local.set $q (i32.shl (local.get $h) (i32.const 4)))
            (block $doneFly
              (loop $fly
                (br_if $doneFly (i32.ge_u (local.get $pa) (local.get $end)))
                ;; stage h on (x0, x1) and (x2, x3)
                (local.set $b (v128.load (i32.add (local.get $pa) (local.get $q))))
                (local.set $t (f64x2.add
                  (f64x2.mul (local.get $b) (v128.load (local.get $pw)))
                  (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $b) (local.get $b)) (v128.load offset=16 (local.get $pw)))))
                (local.set $a (v128.load (local.get $pa)))
                (local.set $a0 (f64x2.add (local.get $a) (local.get $t)))
                (local.set $a1 (f64x2.sub (local.get $a) (local.get $t)))
                (local.set $b (v128.load (i32.add (local.get $pa) (i32.mul (local.get $q) (i32.const 3)))))
                (local.set $t (f64x2.add
                  (f64x2.mul (local.get $b) (v128.load (local.get $pw)))
                  (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $b) (local.get $b)) (v128.load offset=16 (local.get $pw)))))
                (local.set $a (v128.load (i32.add (local.get $pa) (i32.shl (local.get $q) (i32.const 1)))))
                (local.set $a2 (f64x2.add (local.get $a) (local.get $t)))
                (local.set $a3 (f64x2.sub (local.get $a) (local.get $t)))
                ;; stage 2h on (a0, a2) with twiddle j and (a1, a3) with twiddle j + h
                (local.set $t (f64x2.add
                  (f64x2.mul (local.get $a2) (v128.load (local.get $pv)))
                  (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a2) (local.get $a2)) (v128.load offset=16 (local.get $pv)))))
                (v128.store (local.get $pa) (f64x2.add (local.get $a0) (local.get $t)))
                (v128.store (i32.add (local.get $pa) (i32.shl (local.get $q) (i32.const 1))) (f64x2.sub (local.get $a0) (local.get $t)))
                (local.set $pb (i32.add (local.get $pv) (i32.shl (local.get $h) (i32.const 5))))
                (local.set $t (f64x2.add
                  (f64x2.mul (local.get $a3) (v128.load (local.get $pb)))
                  (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a3) (local.get $a3)) (v128.load offset=16 (local.get $pb)))))
                (v128.store (i32.add (local.get $pa) (local.get $q)) (f64x2.add (local.get $a1) (local.get $t)))
                (v128.store (i32.add (local.get $pa) (i32.mul (local.get $q) (i32.const 3))) (f64x2.sub (local.get $a1) (local.get $t)))
                (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
                (local.set $pw (i32.add (local.get $pw) (i32.const 32)))
                (local.set $pv (i32.add (local.get $pv) (i32.const 32)))
                (br $fly)))
            (local.set $g (i32.add (local.get $g) (i32.shl (local.get $h) (i32.const 2))))
            (br $group)))
        (local.set $h (i32.shl (local.get $h) (i32.const 2)))
        (br $stage)))
    (if (i32.lt_u (local.get $h) (local.get $m))
      (then
        (local.set $g (i32.const 0))
        (block $doneGroups1
          (loop $group1
            (br_if $doneGroups1 (i32.ge_u (local.get $g) (local.get $m)))
            (local.set $pa (i32.add (local.get $z) (i32.shl (local.get $g) (i32.const 4))))
            (local.set $end (i32.add (local.get $pa) (i32.shl (local.get $h) (i32.const 4))))
            (local.set $pw (i32.add (local.get $tw) (i32.shl (i32.sub (local.get $h) (i32.const 1)) (i32.const 5))))
            (block $doneFly1
              (loop $fly1
                (br_if $doneFly1 (i32.ge_u (local.get $pa) (local.get $end)))
                (local.set $pb (i32.add (local.get $pa) (i32.shl (local.get $h) (i32.const 4))))
                (local.set $a (v128.load (local.get $pa)))
                (local.set $b (v128.load (local.get $pb)))
                (local.set $t (f64x2.add
                  (f64x2.mul (local.get $b) (v128.load (local.get $pw)))
                  (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $b) (local.get $b)) (v128.load offset=16 (local.get $pw)))))
                (v128.store (local.get $pa) (f64x2.add (local.get $a) (local.get $t)))
                (v128.store (local.get $pb) (f64x2.sub (local.get $a) (local.get $t)))
                (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
                (local.set $pw (i32.add (local.get $pw) (i32.const 32)))
                (br $fly1)))
            (local.set $g (i32.add (local.get $g) (i32.shl (local.get $h) (i32.const 1))))
            (br $group1)))))
    ;; Split into the real transform's bins 0..m: bins k and m − k together (k = 0..m/2), from
    ;; a = Z_k and c = Z_(m−k) (indices mod m), their squared magnitudes' square roots two at a time.
    (local.set $j (i32.const 0))
    (local.set $q (i32.shr_u (local.get $m) (i32.const 1)))
    (block $donePost
      (loop $postLoop
        (br_if $donePost (i32.gt_u (local.get $j) (local.get $q)))
        (local.set $pa (i32.add (local.get $z) (i32.shl (i32.and (local.get $j) (i32.sub (local.get $m) (i32.const 1))) (i32.const 4))))
        (local.set $pb (i32.add (local.get $z) (i32.shl (i32.and (i32.sub (local.get $m) (local.get $j)) (i32.sub (local.get $m) (i32.const 1))) (i32.const 4))))
        (local.set $x (call $bin (v128.load (local.get $pa)) (v128.load (local.get $pb)) (i32.add (local.get $post) (i32.shl (local.get $j) (i32.const 5)))))
        (local.set $e (call $bin (v128.load (local.get $pb)) (v128.load (local.get $pa))
          (i32.add (local.get $post) (i32.shl (i32.sub (local.get $m) (local.get $j)) (i32.const 5)))))
        (local.set $x (f64x2.mul (local.get $x) (local.get $x)))
        (local.set $e (f64x2.mul (local.get $e) (local.get $e)))
        ;; (|X_k|², |X_(m−k)|²) = (x_re², e_re²) + (x_im², e_im²)
        (local.set $t (f64x2.mul (f64x2.splat (local.get $scale)) (f64x2.sqrt (f64x2.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $e))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $e))))))
        (f64.store (i32.add (local.get $mag) (i32.shl (local.get $j) (i32.const 3))) (f64x2.extract_lane 0 (local.get $t)))
        (f64.store (i32.add (local.get $mag) (i32.shl (i32.sub (local.get $m) (local.get $j)) (i32.const 3))) (f64x2.extract_lane 1 (local.get $t)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $postLoop))))

  ;; One bin of the split: X = ½(a + conj c) + w · (−i/2)(a − conj c), w the pair at `pw`.
  (func $bin (param $a v128) (param $c v128) (param $pw i32) (result v128)
    (local $b v128) (local $e v128) (local $t v128)
    (local.set $b (f64x2.mul (v128.const f64x2 1 -1) (local.get $c)))
    (local.set $e (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.add (local.get $a) (local.get $b))))
    ;; t = −i · ½(a − b) = (d_im, −d_re)
    (local.set $t (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.sub (local.get $a) (local.get $b))))
    (local.set $t (f64x2.mul (v128.const f64x2 1 -1) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $t) (local.get $t))))
    (f64x2.add (local.get $e) (f64x2.add
      (f64x2.mul (local.get $t) (v128.load (local.get $pw)))
      (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $t) (local.get $t)) (v128.load offset=16 (local.get $pw))))))
)
