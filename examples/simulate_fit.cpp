// simulate_fit.cpp - the library from C++: simulate a blot with a known
// DC50, quantify it, normalise it and fit the dose series, through the public
// API of libblotquant only, with the C objects held by std::unique_ptr.
//
//     simulate_fit [PRESET [SEED]]      (default: kt253 1)
//
// Prints the true DC50 of the simulation beside the fitted one and exits 1
// when they differ by more than a factor of 1.5 (a gross failure, not an
// accuracy bar: tests/ holds those).
// Build: c++ simulate_fit.cpp $(pkg-config --cflags --libs blotquant)
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <blotquant/blotquant.h>

namespace {

template <typename T, void (*Free)(T *)> struct deleter {
    void operator()(T *p) const { Free(p); }
};
using image_ptr = std::unique_ptr<bq_image_t, deleter<bq_image_t, bq_image_free>>;
using truth_ptr = std::unique_ptr<bq_sim_truth_t, deleter<bq_sim_truth_t, bq_sim_truth_free>>;
using quant_ptr =
    std::unique_ptr<bq_quant_result_t, deleter<bq_quant_result_t, bq_quant_result_free>>;
using csv_ptr = std::unique_ptr<bq_csv_t, deleter<bq_csv_t, bq_csv_free>>;
using sheet_ptr =
    std::unique_ptr<bq_sample_sheet_t, deleter<bq_sample_sheet_t, bq_samples_free>>;
using norm_ptr = std::unique_ptr<bq_norm_table_t, deleter<bq_norm_table_t, bq_norm_table_free>>;

// A library failure as an exception carrying the library's message.
void check(int rc, const bq_error_t &err)
{
    if (rc != 0)
        throw std::runtime_error(std::string(err.msg) + " (" + bq_strerror(rc) + ")");
}

// The sample sheet of the simulated lanes, built as the CSV a user would write.
sheet_ptr sheet_of(const bq_sim_truth_t &truth)
{
    std::ostringstream csv; // the classic "C" locale unless imbued: '.' decimals
    csv << "lane,dose,unit\n";
    for (int i = 0; i < truth.n_lanes; i++) {
        const bq_sim_lane_t &lane = truth.lanes[i];
        if (!lane.ladder)
            csv << lane.lane << ',' << lane.dose << ',' << truth.params.unit << '\n';
    }
    const std::string text = csv.str();
    bq_error_t err = {};
    bq_csv_t *table = nullptr;
    check(bq_csv_read_buffer(text.data(), text.size(), "simulated sheet", nullptr, &table, &err),
          err);
    csv_ptr owned(table);
    bq_sample_sheet_t *sheet = nullptr;
    check(bq_samples_from_csv(owned.get(), &sheet, &err), err);
    return sheet_ptr(sheet);
}

} // namespace

int main(int argc, char **argv)
{
    const char *preset = argc > 1 ? argv[1] : "kt253";
    const unsigned long seed = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 1;
    try {
        bq_error_t err = {};
        bq_sim_params_t params;
        check(bq_sim_params_preset(preset, &params, &err), err);
        params.seed = seed;

        bq_image_t *img = nullptr;
        bq_sim_truth_t *truth_raw = nullptr;
        check(bq_simulate(&params, &img, &truth_raw, &err), err);
        truth_ptr truth(truth_raw);
        const bq_sim_row_t &target = truth->params.rows[0];
        const bq_sim_row_t &control = truth->params.rows[truth->params.n_rows - 1];

        const char *rows[] = {target.name, control.name};
        bq_quant_options_t qopts = {};
        qopts.bands.row_names = rows;
        qopts.bands.n_row_names = 2;
        bq_quant_result_t *res_raw = nullptr;
        check(bq_quant_image(img, &qopts, &res_raw, &err), err); // takes img
        quant_ptr res(res_raw);

        sheet_ptr sheet = sheet_of(*truth);
        bq_norm_table_t *norm_raw = nullptr;
        check(bq_normalize(res->table, "simulated", sheet.get(), target.name, control.name, 1,
                           &norm_raw, &err),
              err);
        norm_ptr norm(norm_raw);

        std::vector<bq_fit_point_t> pts;
        for (int i = 0; i < norm->n; i++) {
            const bq_norm_row_t &row = norm->rows[i];
            if (std::isfinite(row.relative))
                pts.push_back({bq_unit_convert(row.dose_nm, BQ_UNIT_NM, sheet->unit),
                               row.relative, 1, (row.flags & BQ_NORM_EXCLUDE_MASK) != 0});
        }
        bq_fit_options_t fopts;
        bq_fit_options_init(&fopts);
        bq_fit_result_t fit;
        check(bq_fit_4pl(pts.data(), pts.size(), &fopts, &fit, &err), err);

        std::printf("preset %s, seed %lu: %d lanes, %d bands, %zu points fitted\n", preset, seed,
                    res->table->n_lanes, res->table->n_bands, pts.size());
        std::printf("dc50 true %.4g %s\n", truth->params.dc50, truth->params.unit);
        std::printf("dc50 fitted %.4g %s (95%% CI %.4g to %.4g)\n", fit.dc50, norm->unit,
                    fit.dc50_low, fit.dc50_high);
        std::printf("dmax true %.3f fitted %.3f\n", truth->params.dmax, fit.dmax);
        const double ratio = fit.dc50 / truth->params.dc50;
        if (!(ratio > 1 / 1.5 && ratio < 1.5)) {
            std::fprintf(stderr, "simulate_fit: fitted DC50 is %.3g times the true one\n", ratio);
            return 1;
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "simulate_fit: %s\n", e.what());
        return 1;
    }
    return 0;
}
