export { InterruptTaskSet, StopUser } from './control';
export { HttpUser } from './http-user';
export { tag, task } from './task';
export { planTasks, type TagFilter, type TaskPlan, type TasksSpec } from './task-plan';
export { SequentialTaskSet, TaskSet } from './task-set';
export { isUserClass, User, type UserClass } from './user';
export { UserLoop } from './user-loop';
export {
  between,
  constant,
  constantPacing,
  constantThroughput,
  type WaitContext,
  type WaitTime,
} from './wait-time';
export { weightedPicker } from './weighted-choice';
