// imagej_rb.ijm - ImageJ's rolling-ball background subtraction, timed from
// inside ImageJ so the JVM start-up is not counted (bench/run.sh times the
// whole command separately with hyperfine).
//
// Argument: "IMAGE REPS OUT" (space-separated). Opens IMAGE once (an
// uncompressed 16-bit TIFF), then REPS times: duplicate it, Process >
// Subtract Background with rolling=50 (dialog defaults otherwise, as in
// eval/imagej.ijm), close the copy. Writes one line per repetition to OUT:
//   open_ms <TAB> rolling_ball_ms
// where open_ms (the file read, first line only, else 0) and rolling_ball_ms
// come from getTime() around each call.
setBatchMode(true);
a = split(getArgument(), " ");
if (a.length < 3)
    exit("usage: imagej -b imagej_rb.ijm 'IMAGE REPS OUT'");
reps = parseInt(a[1]);
t0 = getTime();
open(a[0]);
topen = getTime() - t0;
src = getImageID();
out = "";
for (i = 0; i < reps; i++) {
    selectImage(src);
    run("Duplicate...", "title=rb");
    t0 = getTime();
    run("Subtract Background...", "rolling=50");
    t1 = getTime();
    close();
    if (i > 0)
        topen = 0;
    out = out + topen + "\t" + (t1 - t0) + "\n";
}
File.saveString(out, a[2]);
