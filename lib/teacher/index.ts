export { createSimulatedTeacher } from './simulated-teacher.ts';
export { SimulatedTeacherOptionsSchema, type SimulatedTeacherOptions } from './options.ts';
export { parseTeacherContext, type TeacherContext } from './context.ts';
