// hwgen HLS library: every unit, one include. Header-only; see each file for its protocol.
#pragma once

#include "common.hpp"
#include "axis.hpp"
#include "add_streams.hpp"
#include "avg_pool.hpp"
#include "concat.hpp"
#include "duplicate.hpp"
#include "dwc.hpp"
#include "global_avg_pool.hpp"
#include "ring.hpp"
#include "label_select.hpp"
#include "maxpool.hpp"
#include "mvau.hpp"
#include "sliding_window.hpp"
#include "thresholding.hpp"
