// Sinter side of the reinforcement-learning benchmark (bench/run.sh; the PyTorch peer is
// bench/pytorch_rl.py), the host round trip that chapter 14's loops make on every step:
//   rl_policy_call_us    one call of the REINFORCE policy (4-128-2, softmax) on one observation
//                        with the action sampled in the step (random::categorical): µs per call
//   rl_policy_loop       the same call and one CartPole step (sinter_rl, C++), episode after
//                        episode: environment steps per second
//   ppo_train_b32        PPO's compiled update (actor 4-100-2 and critic 4-100-1, clipped
//                        surrogate and MSE, two Adams) on a batch of 32: steps/s
// Each the median over about --seconds seconds after a warm-up.
#include "sinter/TensorLanguage.h"
#include "sinter/nn/Model.h"
#include "sinter/rl/CartPole.h"

#include "../models/common/Rl.h"
#include "Timing.h"

#include <cstdio>
#include <cstring>
#include <random>

using namespace sinter;
using bench::measure;
using bench::median;

int main(int argc, char **argv) {
  const double seconds = bench::secondsFlag(argc, argv);
  try {
    constexpr int64_t kBatch = 32;
    Graph g;
    nn::Sequential policy({nn::Dense(128, "relu"), nn::Dense(2)});
    Tensor state = g.input("state", {1, 4});
    Tensor action = random::categorical(nn::rngStep(g), policy(state), 1, 0);
    nn::Sequential actor({nn::Dense(100, "relu"), nn::Dense(2, "softmax")});
    nn::Sequential critic({nn::Dense(100, "relu"), nn::Dense(1)});
    models::agent::PpoUpdate ppo = models::agent::ppoUpdate(g, actor, critic, kBatch, 0.2);
    Program program =
        g.compile({{"act", {state}, {action}, {nn::rngStepUpdate(g)}},
                   {"train", ppo.inputs, {ppo.policyLoss, ppo.valueLoss}, ppo.updates}});

    int act = program.entryIndex("act"), train = program.entryIndex("train");
    HostTensor obs(DType::F32, {1, 4}), chosen(DType::I32, {1, 1});
    auto call = [&] { program.call(act, {obs.data()}, {chosen.data()}); };
    double perCall = median(measure(call, seconds, /*warmup=*/100, /*minReps=*/1000));

    rl::CartPole env;
    std::array<float, 4> o = env.reset(0);
    const int kSteps = 1000; // one measured repetition: 1,000 environment steps
    auto loop = [&] {
      for (int i = 0; i < kSteps; ++i) {
        std::memcpy(obs.data(), o.data(), sizeof o);
        call();
        rl::StepResult r = env.step(chosen.as<int32_t>()[0]);
        o = r.done() ? env.reset() : r.observation;
      }
    };
    double perLoop = median(measure(loop, seconds, /*warmup=*/2, /*minReps=*/10));

    HostTensor bs(DType::F32, {kBatch, 4}), ba(DType::I32, {kBatch, 1}),
        bp(DType::F32, {kBatch, 1}), br(DType::F32, {kBatch, 1}), pl(DType::F32, {}),
        vl(DType::F32, {});
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(-0.05f, 0.05f);
    for (int64_t i = 0; i < kBatch; ++i) {
      for (int k = 0; k < 4; ++k)
        bs.as<float>()[4 * i + k] = u(rng);
      ba.as<int32_t>()[i] = static_cast<int32_t>(i % 2);
      bp.as<float>()[i] = 0.5f;
      br.as<float>()[i] = 10.0f;
    }
    auto step = [&] {
      program.call(train, {bs.data(), ba.data(), bp.data(), br.data()}, {pl.data(), vl.data()});
    };
    double perStep = median(measure(step, seconds, /*warmup=*/20, /*minReps=*/100));

    std::printf("rl_policy_call_us us=%.2f\n", perCall * 1e6);
    std::printf("rl_policy_loop steps_per_s=%.0f\n", kSteps / perLoop);
    std::printf("ppo_train_b32 steps_per_s=%.1f\n", 1 / perStep);
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
