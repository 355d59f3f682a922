// A module that throws while it loads.
throw new Error('this module cannot be loaded');
