# gnuplot script of make bench (mk/bench.mk): bench-table's data file
# (dat) to a PNG (out).  One panel per request shape: the claim time of
# ours and of the vfio_ap-style model over the number of guests, log-log.
set terminal pngcairo size 1500,500 noenhanced font ",10"
set output out
set multiplot layout 1,3 title "ownership table: claim, median ns per operation (lower is better)"
set logscale xy
set xlabel "guests"
set ylabel "ns"
set grid
set key top left
do for [i=0:2] {
	set title word("1x1 1x256 256x256", i + 1)
	plot dat index i using 2:($3 > 0 ? $3 : 1) with linespoints title "ours: claim", \
	     dat index i using 2:($5 > 0 ? $5 : 1) with linespoints title "ours: cycle", \
	     dat index i using 2:($4 > 0 ? $4 : 1) with linespoints title "model: claim"
}
unset multiplot
