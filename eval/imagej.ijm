// imagej.ijm - the ImageJ side of the blotquant accuracy evaluation.
//
// What a careful ImageJ user does with a blot, given perfect boxes:
// open the image, (Edit > Invert if the bands are dark), Process > Subtract
// Background with a rolling ball of radius 50 (dialog defaults otherwise:
// light background unchecked, smoothing on), then Analyze > Measure with
// "Integrated density" in each box and take RawIntDen.
//
// Argument: a job list written by `bq-eval boxes`, one box per line:
//   key <TAB> image <TAB> invert(0/1) <TAB> lane <TAB> row <TAB> x <TAB> y <TAB> w <TAB> h
// Lines of one image are consecutive, so each image is opened and
// background-subtracted once. Results go to JOBS.out, one line per box:
//   key <TAB> lane <TAB> row <TAB> RawIntDen
setBatchMode(true);
jobs = getArgument();
lines = split(File.openAsString(jobs), "\n");
run("Set Measurements...", "integrated redirect=None decimal=3");
out = "";
current = "";
for (i = 0; i < lines.length; i++) {
    f = split(lines[i], "\t");
    if (f.length < 9)
        continue;
    if (f[1] != current) {
        if (current != "")
            close();
        open(f[1]);
        if (bitDepth() != 16)
            exit("not a 16-bit image: " + f[1]);
        if (f[2] == "1")
            run("Invert");
        run("Subtract Background...", "rolling=50");
        run("Clear Results");
        current = f[1];
    }
    makeRectangle(parseInt(f[5]), parseInt(f[6]), parseInt(f[7]), parseInt(f[8]));
    run("Measure");
    out = out + f[0] + "\t" + f[3] + "\t" + f[4] + "\t" + d2s(getResult("RawIntDen", nResults - 1), 1) + "\n";
}
if (current != "")
    close();
File.saveString(out, jobs + ".out");
