#!/usr/bin/python3
"""PyTorch peer for the reinforcement-learning benchmark (the book's chapter-14 loops).

    /usr/bin/python3 bench/pytorch_rl.py [--seconds 2.5] [--threads 2]

rl_policy_call_us: the REINFORCE policy (Linear(4, 128) → ReLU → Linear(128, 2)) on one
observation under no_grad, an action sampled from its logits (torch.multinomial of the softmax,
the book's tf.random.categorical) and read back with int(); rl_policy_loop: the same with one
CartPole step each (Gym's CartPole equations in Python, as Gym runs them), environment steps per
second; ppo_train_b32: PPO's update (actor 4-100-2 softmax, critic 4-100-1, clipped surrogate
and MSE, two Adams) on a batch of 32. Medians over repetitions after warm-up:
    rl_policy_call_us us=...
    rl_policy_loop steps_per_s=...
    ppo_train_b32 steps_per_s=...
"""
import math
import os
import random
import statistics
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_timing import measure, parse_args  # noqa: E402


class CartPole:
    """Gym's CartPole-v1 dynamics (classic_control/cartpole.py), without rendering."""

    def __init__(self, seed=0):
        self.rng = random.Random(seed)
        self.reset()

    def reset(self):
        self.state = [self.rng.uniform(-0.05, 0.05) for _ in range(4)]
        self.steps = 0
        return list(self.state)

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = 10.0 if action == 1 else -10.0
        cos, sin = math.cos(theta), math.sin(theta)
        temp = (force + 0.05 * theta_dot ** 2 * sin) / 1.1
        theta_acc = (9.8 * sin - cos * temp) / (0.5 * (4.0 / 3.0 - 0.1 * cos ** 2 / 1.1))
        x_acc = temp - 0.05 * theta_acc * cos / 1.1
        x, x_dot = x + 0.02 * x_dot, x_dot + 0.02 * x_acc
        theta, theta_dot = theta + 0.02 * theta_dot, theta_dot + 0.02 * theta_acc
        self.state = [x, x_dot, theta, theta_dot]
        self.steps += 1
        terminated = abs(x) > 2.4 or abs(theta) > 12 * 2 * math.pi / 360
        return list(self.state), 1.0, terminated, self.steps >= 500


def main():
    args = parse_args(__doc__)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    policy = nn.Sequential(nn.Linear(4, 128), nn.ReLU(), nn.Linear(128, 2))
    obs = [0.01, -0.02, 0.03, 0.04]

    def call():
        with torch.no_grad():
            logits = policy(torch.tensor([obs], dtype=torch.float32))
            return int(torch.multinomial(torch.softmax(logits, dim=1), 1)[0])

    per_call = statistics.median(measure(call, args.seconds, warmup=100, min_reps=1000))

    env = CartPole()
    state = [env.reset()]

    def loop():
        for _ in range(1000):
            with torch.no_grad():
                logits = policy(torch.tensor([state[0]], dtype=torch.float32))
                a = int(torch.multinomial(torch.softmax(logits, dim=1), 1)[0])
            s, _, terminated, truncated = env.step(a)
            state[0] = env.reset() if terminated or truncated else s

    per_loop = statistics.median(measure(loop, args.seconds, warmup=2, min_reps=10))

    actor = nn.Sequential(nn.Linear(4, 100), nn.ReLU(), nn.Linear(100, 2), nn.Softmax(dim=1))
    critic = nn.Sequential(nn.Linear(4, 100), nn.ReLU(), nn.Linear(100, 1))
    actor_opt = torch.optim.Adam(actor.parameters(), lr=1e-3, eps=1e-7)
    critic_opt = torch.optim.Adam(critic.parameters(), lr=3e-3, eps=1e-7)
    s = torch.rand(32, 4) * 0.1 - 0.05
    a = (torch.arange(32) % 2).reshape(32, 1)
    old = torch.full((32, 1), 0.5)
    ret = torch.full((32, 1), 10.0)

    def step():
        v = critic(s)
        advantage = (ret - v).detach()
        ratio = actor(s).gather(1, a) / old
        policy_loss = -torch.min(ratio * advantage,
                                 torch.clamp(ratio, 0.8, 1.2) * advantage).mean()
        value_loss = ((ret - v) ** 2).mean()
        actor_opt.zero_grad(set_to_none=True)
        critic_opt.zero_grad(set_to_none=True)
        policy_loss.backward()
        value_loss.backward()
        actor_opt.step()
        critic_opt.step()

    per_step = statistics.median(measure(step, args.seconds, warmup=20, min_reps=100))
    print(f"rl_policy_call_us us={per_call * 1e6:.2f}")
    print(f"rl_policy_loop steps_per_s={1000 / per_loop:.0f}")
    print(f"ppo_train_b32 steps_per_s={1 / per_step:.1f}")


if __name__ == "__main__":
    main()
